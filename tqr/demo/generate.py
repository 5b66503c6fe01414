"""The demo districts as plain data: units, people, certificates and histories, deterministic from a seed.

Pure: no Django, no database. ``plan_demo`` returns a ``DemoPlan`` that ``load_demo`` writes; the same seed,
year and sizes always give the same plan (each district draws from its own ``random.Random``, so the
small second district does not change when 黔江's size does). ``schedule`` and ``place_today`` place a
round's windows; ``announcement`` renders the district notice for a year and its windows.

Histories are relative to the current year Y: a teacher whose last 合格 registration was in Y-5 is due in
the current round (valid until Y-12-31), which is about one teacher in five.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta

from tqr.rules.engine import certificate_covers
from tqr.rules.identifiers import CERT_TYPE_DIGITS, make_certificate_number, make_resident_id
from tqr.rules.phases import PHASE_ORDER, Phase
from tqr.rules.workdays import UnknownCalendarYear, WorkdayCalendar

from . import data

# One password for every demo account; it passes the project's validators (≥10, 3 classes, not common).
DEMO_PASSWORD = "Tqr-Demo-2026"  # noqa: S105 - printed on purpose: a demo, never production data
DEMO_EMAIL_DOMAIN = "example.com"  # RFC 2606: mail to the demo accounts can never reach anyone

QIANJIANG = "500114"
WULONG = "500156"

# Chongqing's periodic registration started in waves; the first demo wave is 2013 [assumed, lead's brief].
EARLIEST_REGISTRATION_YEAR = 2013
# Weights of a pre-2012 teacher's first registration year: 2013 is the big first wave.
FIRST_WAVE_WEIGHTS = ((2013, 0.24), (2014, 0.19), (2015, 0.19), (2016, 0.19), (2017, 0.19))
ASSESSED_YEARS = 6  # annual assessments and training rows for the last six years


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    gender: str
    phone: str


@dataclass
class UnitPlan:
    code: str
    name: str
    short_name: str
    kind: str
    ownership: str
    address: str
    rural: bool
    size: float
    admin: Person
    admin_2023: Person


@dataclass
class CertificatePlan:
    number: str
    cert_type: str
    subject: str
    certifying_body: str
    issue_date: date


@dataclass
class RegistrationPlan:
    year: int
    kind: str
    conclusion: str
    valid_from: date | None
    valid_until: date | None
    certificate: int  # index into the teacher's certificates


@dataclass
class InterruptionPlan:
    start: date
    end: date
    approved: str  # "" = not approved
    note: str


@dataclass
class TeacherPlan:
    name: str
    gender: str
    ethnicity: str
    birth_date: date
    id_number: str
    phone: str
    unit: str  # unit code
    post_level: str
    subject: str
    title: str
    hire_date: date
    teacher_post_title: bool = True
    on_payroll: bool = True
    in_post: bool = True
    new_teacher: bool = False
    probation_passed: bool = False
    pre_service_training_done: bool = False
    special_post: str = "none"
    seconded_from: str | None = None
    ethics: str = "good"
    health: str = "fit"
    qualification_status: str = "valid"
    certificates: list[CertificatePlan] = field(default_factory=list)
    registrations: list[RegistrationPlan] = field(default_factory=list)
    assessments: dict[int, str] = field(default_factory=dict)
    training: dict[int, int] = field(default_factory=dict)
    interruptions: list[InterruptionPlan] = field(default_factory=list)
    username: str = ""
    email: str = ""
    demo_role: str = ""  # why this teacher is special in the demo, for the summary ("U2", "D1", …)


@dataclass
class StaffPlan:
    username: str
    role: str
    organisation: str  # code
    person: Person


@dataclass
class DistrictPlan:
    code: str
    name: str
    short_name: str
    units: list[UnitPlan]
    teachers: list[TeacherPlan]
    named_this_year: list[str]  # unit codes whose administrator is named in the current round
    contacts: list[tuple[str, str, str]]


@dataclass
class DemoPlan:
    seed: int
    year: int
    districts: list[DistrictPlan]
    staff: list[StaffPlan]

    @property
    def teachers(self) -> list[TeacherPlan]:
        return [t for d in self.districts for t in d.teachers]

    def digest(self) -> str:
        """A fingerprint of everything generated, to prove that a seed reproduces the same data."""
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


# --- unique identifiers ---------------------------------------------------------------------------


class _Registry:
    """Hands out identifiers that must be unique across both districts."""

    def __init__(self):
        self.ids: set[str] = set()
        self.serials: dict[tuple, int] = {}

    def resident_id(self, rng: random.Random, area: str, birth: date, gender: str) -> str:
        while True:
            # GB 11643: the sequence's last digit is odd for a man, even for a woman.
            seq = rng.randrange(0, 500) * 2 + (1 if gender == "male" else 0)
            value = make_resident_id(area, birth, seq)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def certificate_number(self, rng, year, province, body, type_digit, gender_digit, *, legacy=False) -> str:
        key = (legacy, year, province, body, type_digit, gender_digit)
        serial = self.serials.get(key) or rng.randint(1, 1500)
        serial += rng.randint(1, 37)
        while True:
            if legacy:
                # 15-digit numbers of the first certifications: year, province, body, serial [assumed layout].
                number = f"{year}{province}{body}{serial:06d}"
            else:
                number = make_certificate_number(year, province, body, type_digit, gender_digit, serial)
            # A legacy number carries neither type nor gender: two series can meet (at ~50,000 teachers).
            if number not in self.ids:
                self.ids.add(number)
                self.serials[key] = serial
                return number
            serial += 1


def _pick(rng: random.Random, weighted: Sequence[tuple]) -> object:
    values = [w[0] for w in weighted]
    weights = [w[1] for w in weighted]
    return rng.choices(values, weights)[0]


def _phone(rng: random.Random) -> str:
    return rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    chars = data.MALE_CHARS if gender == "male" else data.FEMALE_CHARS
    # Single-character given names were common before the 1990s, rarer since.
    single = 0.35 if birth_year < 1980 else 0.18
    first = rng.choice(chars)
    if rng.random() < 0.01:
        first = rng.choice(data.RARE_CHARS)
    if rng.random() < single:
        return first
    second = rng.choice(chars)
    while second == first:
        second = rng.choice(chars)
    return first + second


def _name(rng: random.Random, gender: str, birth_year: int) -> str:
    return _pick(rng, data.SURNAMES) + _given_name(rng, gender, birth_year)


def _person(rng: random.Random, *, gender: str | None = None, birth_year: int = 1980) -> Person:
    gender = gender or rng.choice(("male", "female"))
    return Person(_name(rng, gender, birth_year), gender, _phone(rng))


# --- units ----------------------------------------------------------------------------------------


def _address(rng, district: str, place: str, locality: str = "", *, urban: bool) -> str:
    prefix = "重庆市黔江区" if district == QIANJIANG else "重庆市武隆区"
    roads = data.QIANJIANG_ROADS if district == QIANJIANG else data.WULONG_ROADS
    if urban:
        return f"{prefix}{place}{rng.choice(roads)}{rng.randint(1, 420)}号"
    if locality.endswith("村"):
        return f"{prefix}{place}{locality}{rng.randint(1, 9)}组"
    return f"{prefix}{place}{locality}{rng.randint(1, 200)}号"


# Relative head counts by kind of unit; scaled to the requested number of teachers.
_SIZES = {
    "senior": 200, "complete_secondary": 160, "junior": 100, "nine_year": 45, "primary": 90, "kindergarten": 25,
    "vocational": 150, "special": 25, "tv_university": 30, "teacher_development_center": 25, "inspectorate": 6,
}


def _qianjiang_unit_specs(rng: random.Random, n_units: int) -> list[tuple]:
    """(name, short, kind, ownership, place, locality, urban, size) for 黔江, ``n_units`` of them."""
    n_inspectorates = 4 if n_units >= 60 else 3
    n_private = max(1, min(len(data.PRIVATE_UNITS), round(n_units * 0.05)))
    n_industry = 2 if n_units >= 40 else 1
    fixed = len(data.QIANJIANG_SPECIAL_UNITS) + n_inspectorates + n_private + n_industry
    n_public = n_units - fixed
    if n_public < 6:
        raise ValueError(f"黔江区至少需要 {fixed + 6} 个单位")

    def urban_place():
        return rng.choice(data.URBAN_PLACES)

    named = [(n, s, k, "public", urban_place(), "", True, _SIZES[k]) for n, s, k in data.QIANJIANG_NAMED_SCHOOLS]
    # What even the smallest demo needs first: one unit of each ordinary kind (and a nine-year school).
    core_kinds = ("senior", "primary", "kindergarten", "junior", "complete_secondary")
    core = [next(u for u in named if u[2] == k) for k in core_kinds]
    rest_named = [u for u in named if u not in core]

    central_primary, central_kg, secondary, villages = [], [], [], []
    for place, localities in data.QIANJIANG_PLACES:
        street = place.endswith("街道")
        township = place.endswith("乡")
        centre = localities[0]
        town = place.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        central_primary.append((
            f"重庆市黔江区{place}中心小学校", f"{place}中心小学", "primary", "public", place, centre, False,
            60 if street else 35,
        ))
        central_kg.append((
            f"重庆市黔江区{place}中心幼儿园", f"{place}中心幼儿园", "kindergarten", "public", place, centre, False,
            14 if street else 9,
        ))
        if township:
            secondary.append((
                f"重庆市黔江区{place}九年一贯制学校", f"{place}学校", "nine_year", "public", place, centre, False, 45,
            ))
        elif not street:
            secondary.append((
                f"重庆市黔江区{place}中学校", f"{town}中学", "junior", "public", place, centre,
                False, 50,
            ))
        for village in localities[1:]:
            if village.endswith("村"):
                short = village.removesuffix("村")
                villages.append((
                    f"重庆市黔江区{place}{short}小学校", f"{town}{short}小学", "primary", "public", place, village,
                    False, 8,
                ))
    first_nine_year = secondary.pop(next(i for i, u in enumerate(secondary) if u[2] == "nine_year"))
    pool = core + [first_nine_year] + central_primary + central_kg + secondary + rest_named + villages
    if n_public > len(pool):
        raise ValueError(f"黔江区最多 {len(pool) + fixed} 个单位")
    public = pool[:n_public]

    specials = [
        (n, s, k, "public", "城西街道" if k in ("tv_university", "teacher_development_center") else urban_place(),
         "", True, _SIZES[k])
        for n, s, k in data.QIANJIANG_SPECIAL_UNITS
    ]
    inspectorates = []
    for ordinal in data.INSPECTORATE_ORDINALS[:n_inspectorates]:
        place, localities = rng.choice(data.QIANJIANG_PLACES)
        inspectorates.append((
            f"重庆市黔江区{ordinal}督学责任区", f"{ordinal}督学责任区", "inspectorate", "public", place,
            localities[0], False, _SIZES["inspectorate"],
        ))
    private = [
        (n, s, k, "private", urban_place(), "", True, 35 if k != "kindergarten" else 10)
        for n, s, k in data.PRIVATE_UNITS[:n_private]
    ]
    industry = [
        (n, s, k, "industry", urban_place(), "", True, 25 if k != "kindergarten" else 8)
        for n, s, k in data.INDUSTRY_UNITS[:n_industry]
    ]
    order = {"senior": 0, "complete_secondary": 1, "junior": 2, "nine_year": 3, "primary": 4, "kindergarten": 5}
    public.sort(key=lambda u: (order[u[2]], not u[6]))  # by kind, town-centre schools first
    return public + specials + inspectorates + private + industry


def _plan_units(rng: random.Random, district: str, n_units: int) -> list[UnitPlan]:
    if district == QIANJIANG:
        specs = _qianjiang_unit_specs(rng, n_units)
    else:
        specs = [
            (n, s, k, "public", place, "", k in ("senior", "vocational") or "街道" in place, _SIZES[k])
            for n, s, k, place in data.WULONG_UNITS[:n_units]
        ]
    units = []
    for i, (name, short, kind, ownership, place, locality, urban, size) in enumerate(specs, start=1):
        admin = _person(rng, birth_year=rng.randint(1972, 1995))
        admin_2023 = admin if rng.random() < 0.8 else _person(rng, birth_year=rng.randint(1970, 1992))
        rural = not urban and kind in ("primary", "junior", "nine_year")
        if not locality and not urban:
            locality = next(p[1][0] for p in data.WULONG_PLACES if p[0] == place)
        units.append(UnitPlan(
            code=f"{district}{i:03d}", name=name, short_name=short, kind=kind, ownership=ownership,
            address=_address(rng, district, place, locality, urban=urban), rural=rural,
            size=size * rng.uniform(0.8, 1.2), admin=admin, admin_2023=admin_2023,
        ))
    # The centre works in the TV university's building (黔江电大综合楼, 155号).
    tv = next((u for u in units if u.kind == "tv_university"), None)
    for u in units:
        if tv is not None and u.kind == "teacher_development_center":
            u.address = tv.address
    return units


def _allocate(units: list[UnitPlan], total: int) -> list[int]:
    """Head counts proportional to unit size (largest remainder), at least one per unit when possible."""
    floor = 1 if total >= len(units) else 0
    spare = total - floor * len(units)
    weight = sum(u.size for u in units)
    exact = [spare * u.size / weight for u in units]
    counts = [floor + int(x) for x in exact]
    left = total - sum(counts)
    by_remainder = sorted(range(len(units)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    for i in by_remainder[:left]:
        counts[i] += 1
    return counts


# --- teachers -------------------------------------------------------------------------------------

_FEMALE_SHARE = {
    "kindergarten": 0.97, "primary": 0.72, "junior": 0.58, "senior": 0.50, "vocational": 0.50,
    "vocational_practice": 0.25,
}


def _post_level(rng: random.Random, kind: str) -> str:
    return {
        "kindergarten": lambda: "kindergarten",
        "primary": lambda: "kindergarten" if rng.random() < 0.03 else "primary",  # 附设学前班
        "junior": lambda: "junior",
        "senior": lambda: "senior",
        "complete_secondary": lambda: "junior" if rng.random() < 0.45 else "senior",
        "nine_year": lambda: "primary" if rng.random() < 0.55 else "junior",
        "vocational": lambda: "vocational_practice" if rng.random() < 0.15 else "vocational",
        "special": lambda: "primary" if rng.random() < 0.7 else "junior",
        "tv_university": lambda: "vocational" if rng.random() < 0.6 else "senior",
        "teacher_development_center": lambda: _pick(
            rng, (("kindergarten", 1), ("primary", 3), ("junior", 3), ("senior", 2))
        ),
        "inspectorate": lambda: _pick(rng, (("kindergarten", 1), ("primary", 5), ("junior", 4))),
    }[kind]()


def _hire_year(rng: random.Random, kind: str, latest: int) -> int:
    years = range(1985, latest + 1)
    weights = []
    for y in years:
        w = 2.0 if y < 2000 else 3.5 if y < 2020 else 3.0
        if kind == "kindergarten" and y < 2008:
            w *= 0.3  # public kindergartens grew after the 2010 preschool plan
        weights.append(w)
    return rng.choices(list(years), weights)[0]


def _title(rng: random.Random, post_level: str, age: int, years_in_post: int) -> str:
    """职称 by seniority: junior grade in the first years, then middle, senior for about a third after 42."""
    if years_in_post < 1:
        return ""  # 未定级 during probation
    # (series, index of the entry grade): school teachers enter at 二级, 中职 at 助理讲师.
    series, entry = {
        "vocational": (data.VOCATIONAL_TITLES, 0), "vocational_practice": (data.PRACTICE_TITLES, 1),
    }.get(post_level, (data.SCHOOL_TITLES, 1))
    if years_in_post < 5:
        step = entry
    elif years_in_post < 12:
        step = entry + (1 if rng.random() < 0.6 else 0)
    else:
        step = entry + (2 if age >= 42 and rng.random() < 0.45 else 1)
        if series is data.SCHOOL_TITLES and age >= 50 and rng.random() < 0.004:
            step = 4  # 正高级教师: a handful in a district
    return series[min(step, len(series) - 1)]


def _subject(rng: random.Random, post_level: str, unit_kind: str) -> str:
    if unit_kind == "special":
        return _pick(rng, data.SPECIAL_SCHOOL_SUBJECTS)
    return _pick(rng, data.SUBJECTS[post_level])


def _ethnicity(rng: random.Random, area: str) -> str:
    if area in ("500114", "500242", "500243", "500241", "500240") or area.startswith("4228"):
        return _pick(rng, data.ETHNICITIES)
    return "汉族" if rng.random() < 0.92 else _pick(rng, data.ETHNICITIES)


def _certifying_body(district: str, area: str, cert_type: str, issue_year: int, rng: random.Random):
    """(province, body code, body name) of a certificate."""
    elsewhere = area in data.DISTRICT_BODIES and area != district and rng.random() < 0.35
    if elsewhere and area[:2] != "50":
        return data.DISTRICT_BODIES[area]
    if cert_type in ("senior", "vocational", "vocational_practice", "higher"):
        return data.CITY_BODY  # 高中、中职 certificates are certified by the city [assumed]
    where = area if elsewhere else district
    if where in ("500156", "500232"):
        where = "500232" if issue_year < 2017 else "500156"  # 武隆县 became 武隆区 in 2016
    return data.DISTRICT_BODIES[where]


def _issue_date(rng: random.Random, year: int, not_after: date) -> date:
    # Certification sessions run in spring and autumn.
    day = date(year, rng.choice((4, 5, 6, 10, 11, 12)), rng.randint(1, 28))
    return min(day, not_after)


def _certificate(rng, reg: _Registry, t: TeacherPlan, district: str, area: str, cert_type: str,
                 issue_year: int, subject: str, today: date, *, clean: bool = False) -> CertificatePlan:
    """A certificate; ``clean`` rules out the legacy 15-digit layout and a gender digit that disagrees."""
    province, body, body_name = _certifying_body(district, area, cert_type, issue_year, rng)
    gender_digit = "1" if t.gender == "male" else "0"
    if not clean and rng.random() < 0.003:
        gender_digit = "0" if gender_digit == "1" else "1"  # old data is messy: a warning, not a block
    legacy = not clean and issue_year <= 2004 and rng.random() < 0.04
    number = reg.certificate_number(
        rng, issue_year, province, body, CERT_TYPE_DIGITS[cert_type], gender_digit, legacy=legacy
    )
    return CertificatePlan(number, cert_type, subject, body_name, _issue_date(rng, issue_year, today))


_COVERING = {"primary": "junior", "junior": "senior", "kindergarten": "primary"}
_MISMATCH = {"junior": "primary", "senior": "junior", "primary": "kindergarten"}
_SECOND = {
    "kindergarten": ("primary",), "primary": ("junior", "kindergarten"), "junior": ("primary", "senior"),
    "senior": ("junior",), "vocational": ("senior", "vocational_practice"), "vocational_practice": ("vocational",),
}


def _main_cert_type(rng: random.Random, post_level: str, unit_kind: str) -> str:
    if unit_kind == "tv_university" and rng.random() < 0.12:
        return "higher"  # 高等学校教师资格: out of scope (OUT_HIGHER_ED_CERT)
    roll = rng.random()
    if post_level in _MISMATCH and roll < 0.03:
        return _MISMATCH[post_level]  # e.g. a 小学 certificate on a 初中 post (R5)
    if post_level in _COVERING and roll < 0.12:
        return _COVERING[post_level]  # a higher level covers the post (《教师资格条例》第五条)
    if post_level == "vocational" and roll < 0.3:
        return "senior"  # 高中 and 中职 certificates are interchangeable
    return post_level


def matching_certificate(t: TeacherPlan) -> int:
    """The certificate a teacher registers (as the evaluation chooses it): matching, else covering, else newest."""
    ranked = [
        ((c.cert_type != "higher"), c.cert_type == t.post_level, certificate_covers(c.cert_type, t.post_level),
         c.issue_date, i)
        for i, c in enumerate(t.certificates)
    ]
    return max(ranked)[-1]


def _registration(year: int, conclusion: str, kind: str, cert: int) -> RegistrationPlan:
    if conclusion == "qualified":
        return RegistrationPlan(year, kind, conclusion, date(year + 1, 1, 1), date(year + 5, 12, 31), cert)
    return RegistrationPlan(year, kind, conclusion, None, None, cert)


def _history(rng: random.Random, start: int, year: int, cert: int) -> list[RegistrationPlan]:
    """Registrations every five years from ``start``; now and then a 暂缓 followed by a 再次申请 next year."""
    out: list[RegistrationPlan] = []
    y = start
    while y <= year - 1:
        kind = "first" if not out else ("reapply" if out[-1].conclusion == "deferred" else "periodic")
        if rng.random() < 0.025 and y + 1 <= year - 1:
            out.append(_registration(y, "deferred", kind, cert))
            out.append(_registration(y + 1, "qualified", "reapply", cert))
            y += 6
        else:
            out.append(_registration(y, "qualified", kind, cert))
            y += 5
    return out


def _period_facts(rng: random.Random, t: TeacherPlan, year: int, *, short_training: bool) -> None:
    """Annual assessments, training hours and interruptions of the last six years."""
    hired = t.hire_date.year
    t.assessments, t.training, t.interruptions = {}, {}, []
    for y in range(year - ASSESSED_YEARS, year):
        if y > hired:  # 试用期内的年度考核只写评语、不定等次
            roll = rng.random()
            t.assessments[y] = (
                "unqualified" if roll < 0.001 else "basic" if roll < 0.013 else "excellent" if roll < 0.18
                else "qualified"
            )
        if y >= hired:
            if y == hired:
                t.training[y] = rng.randint(40, 120)  # 新教师岗前培训
            else:
                t.training[y] = rng.randint(24, 70) if short_training else rng.randint(64, 110)
    counted = [y for y in range(year - 5, year) if y in t.training]
    total = sum(t.training[y] for y in counted)
    if short_training and counted and total >= 360:
        t.training[counted[-1]] = max(0, t.training[counted[-1]] - (total - 300))
    if not short_training and len(counted) == 5 and total < 360:
        t.training[counted[-1]] += 360 - total + rng.randint(0, 30)


def _approved_interruption(rng: random.Random, t: TeacherPlan, year: int) -> InterruptionPlan:
    start = date(year - 5, 1, 1) + timedelta(days=rng.randint(0, 4 * 365 - 180))
    if t.gender == "female" and year - t.birth_date.year < 45 and rng.random() < 0.6:
        return InterruptionPlan(start, start + timedelta(days=157), "maternity", "产假")
    if rng.random() < 0.2:
        return InterruptionPlan(start, start + timedelta(days=rng.randint(90, 180)), "study", "脱产进修（经区教委批准）")
    return InterruptionPlan(start, start + timedelta(days=rng.randint(20, 120)), "sick", "病假（住院治疗）")


def _teacher(rng: random.Random, reg: _Registry, unit: UnitPlan, district: str, today: date) -> TeacherPlan:
    year = today.year
    post_level = _post_level(rng, unit.kind)
    gender = "female" if rng.random() < _FEMALE_SHARE[post_level] * (1.05 if unit.kind == "special" else 1) else "male"
    # New hires start on 1 September; before that day the year's hires do not exist yet.
    latest_hire = year if today >= date(year, 9, 10) else year - 1
    for _ in range(50):
        hired = _hire_year(rng, unit.kind, latest_hire)
        age_at_hire = rng.randint(18, 22) if hired < 2000 else rng.randint(21, 26)
        born = min(hired - age_at_hire, 2001)
        # Women teachers retire at 55, men at 60: nobody older is still in post.
        if born >= (1971 if gender == "female" else 1966):
            break
    birth = date(born, 1, 1) + timedelta(days=rng.randrange(365))
    hire_date = date(hired, 9, 1) if rng.random() < 0.85 else date(hired, rng.randint(2, 8), 1)
    hire_date = min(hire_date, today - timedelta(days=30))

    area = _pick(rng, data.QIANJIANG_ID_AREAS if district == QIANJIANG else data.WULONG_ID_AREAS)
    t = TeacherPlan(
        name=_name(rng, gender, born), gender=gender, ethnicity=_ethnicity(rng, area), birth_date=birth,
        id_number=reg.resident_id(rng, area, birth, gender), phone=_phone(rng), unit=unit.code,
        post_level=post_level, subject=_subject(rng, post_level, unit.kind), title="", hire_date=hire_date,
    )
    t.title = _title(rng, post_level, year - born, year - hired)

    # Staff of the TV university, the centre and the inspectorates register only with a teacher title.
    if unit.kind in ("tv_university", "teacher_development_center", "inspectorate") and rng.random() < 0.15:
        t.teacher_post_title = False
        t.title = rng.choice(data.NON_TEACHER_TITLES)
    if unit.ownership == "private":
        t.on_payroll = False  # 民办: employed by the school, not on a public payroll
    elif rng.random() < 0.012:
        t.on_payroll = False  # 合同制代课
    if rng.random() < 0.01:
        t.in_post = False  # 长期病休、离岗
    if hired >= year - 1:
        # 新入职教师: registers once the one-year probation is over and passed (155号 一（一）).
        t.new_teacher = True
        t.probation_passed = hire_date + timedelta(days=365) <= today and rng.random() < 0.88
        t.pre_service_training_done = rng.random() < (0.95 if t.probation_passed else 0.5)
    if unit.rural and unit.ownership == "public":
        if hired >= year - 2 and rng.random() < 0.35:
            t.special_post = "unconverted"  # 特岗: three years' service before conversion
        elif year - 12 <= hired <= year - 3 and rng.random() < 0.2:
            t.special_post = "converted"
    if rng.random() < 0.002:
        t.ethics = "violation"
    if rng.random() < 0.001:
        t.health = "unfit"

    # Certificates: one matching the post mostly, a second one for a few.
    cert_type = _main_cert_type(rng, post_level, unit.kind)
    first_issue = rng.randint(2002, 2004) if hired < 2002 else max(2002, min(hired + rng.randint(-1, 1), year))
    first_issue = max(first_issue, born + 19)
    subject = t.subject if rng.random() < 0.9 else _subject(rng, post_level, unit.kind)
    t.certificates.append(_certificate(rng, reg, t, district, area, cert_type, first_issue, subject, today))
    if rng.random() < 0.06 and first_issue < year - 1 and cert_type in _SECOND:
        second_year = rng.randint(first_issue + 1, year - 1)
        second_type = rng.choice(_SECOND[cert_type])
        t.certificates.append(_certificate(
            rng, reg, t, district, area, second_type, second_year, t.subject, today, clean=True
        ))

    # Registration history.
    cert = matching_certificate(t)
    if unit.ownership == "public" and not t.new_teacher and t.special_post != "unconverted":
        if t.special_post == "converted":
            start = hired + 3
        elif hired >= EARLIEST_REGISTRATION_YEAR - 1:
            start = hired + 1  # first registration right after probation
        else:
            start = _pick(rng, FIRST_WAVE_WEIGHTS)
        t.registrations = _history(rng, start, year, cert)
        roll = rng.random()
        if t.registrations and roll < 0.025:
            last = t.registrations[-1]
            t.registrations[-1] = _registration(last.year, "deferred", last.kind, cert)
        elif t.registrations and roll < 0.029:
            last = t.registrations[-1]
            t.registrations[-1] = _registration(last.year, "unqualified", last.kind, cert)
        elif roll < 0.05:
            t.registrations = []  # never registered (came from elsewhere, missed the rounds): 首次注册
    _period_facts(rng, t, year, short_training=rng.random() < 0.08)
    if rng.random() < 0.03:
        t.interruptions.append(_approved_interruption(rng, t, year))
    if rng.random() < 0.004:
        start = date(year - 4, 3, 1) + timedelta(days=rng.randint(0, 900))
        t.interruptions.append(InterruptionPlan(start, start + timedelta(days=rng.randint(15, 60)), "", "事假（未经批准）"))
    return t


def is_due_periodic(t: TeacherPlan, unit: UnitPlan, year: int) -> bool:
    """In scope this round by periodic registration (an approximation of the engine's scope rules)."""
    if unit.ownership != "public" or not (t.on_payroll and t.in_post) or t.special_post == "unconverted":
        return False
    if unit.kind in ("tv_university", "teacher_development_center", "inspectorate") and not t.teacher_post_title:
        return False
    last = t.registrations[-1] if t.registrations else None
    return last is not None and last.conclusion == "qualified" and last.valid_until <= date(year, 12, 31)


def _make_clean_due(rng: random.Random, reg: _Registry, t: TeacherPlan, district: str, today: date) -> None:
    """Turn a teacher into a plain periodic case: due this year, every condition met (合格 expected)."""
    year = today.year
    if t.hire_date.year > year - 8:
        t.hire_date = date(year - rng.randint(8, 14), 9, 1)
    if t.birth_date.year > t.hire_date.year - 21:
        reg.ids.discard(t.id_number)
        t.birth_date = date(t.hire_date.year - rng.randint(21, 24), rng.randint(1, 12), rng.randint(1, 28))
        t.id_number = reg.resident_id(rng, t.id_number[:6], t.birth_date, t.gender)
    t.new_teacher = t.probation_passed = t.pre_service_training_done = False
    t.special_post, t.seconded_from = "none", None
    t.on_payroll = t.in_post = t.teacher_post_title = True
    t.ethics, t.health, t.qualification_status = "good", "fit", "valid"
    if t.title == "" or t.title in data.NON_TEACHER_TITLES:
        t.title = _title(rng, t.post_level, year - t.birth_date.year, year - t.hire_date.year)
    issue = max(2002, t.hire_date.year)
    t.certificates = [
        _certificate(rng, reg, t, district, t.id_number[:6], t.post_level, issue, t.subject, today, clean=True)
    ]
    first = year - 10 if year - 10 >= EARLIEST_REGISTRATION_YEAR and year - 10 > t.hire_date.year else None
    t.registrations = ([_registration(first, "qualified", "first", 0)] if first else []) + [
        _registration(year - 5, "qualified", "periodic" if first else "first", 0)
    ]
    _period_facts(rng, t, year, short_training=False)
    for y in range(year - 5, year):
        if t.assessments.get(y) not in ("qualified", "excellent"):
            t.assessments[y] = "qualified"


def _apply_cases(rng: random.Random, reg: _Registry, pool: list[TeacherPlan], n: int, district: str,
                 today: date) -> None:
    """Give a few due teachers the rare situations each rule needs to be seen in the demo."""
    year = today.year
    cases = [
        ("D2", max(1, n // 2500)), ("U2", 2 if n >= 2000 else 1), ("D3", max(1, n // 1000)),
        ("U1", 1 if n >= 1000 else 0), ("U3", 1 if n >= 2000 else 0), ("R4", max(1, n // 1500)),
        ("R3", max(1, n // 2500)),
    ]
    chosen = rng.sample(pool, min(len(pool), sum(k for _, k in cases)))
    it = iter(chosen)
    for code, count in cases:
        for _ in range(count):
            t = next(it, None)
            if t is None:
                return
            _make_clean_due(rng, reg, t, district, today)
            t.demo_role = code
            if code == "D2":  # 未经批准中断教学超过一个学期 (教师〔2013〕9号 第九条)
                start = date(year - 2, 3, 1) + timedelta(days=rng.randint(0, 60))
                t.interruptions = [InterruptionPlan(start, start + timedelta(days=rng.randint(150, 220)), "",
                                                    "未经批准离岗")]
            elif code == "U2":  # two consecutive 不合格 years (第十条)
                t.assessments[year - 3] = t.assessments[year - 2] = "unqualified"
            elif code == "D3":
                t.assessments[year - 2] = "unqualified"
            elif code == "U1":
                t.ethics = "serious_violation"
            elif code == "U3":
                t.qualification_status = "revoked"
            elif code == "R4":
                t.assessments.pop(year - 4, None)
            elif code == "R3":
                t.health = "unfit"


def _second(rng: random.Random, teachers: list[TeacherPlan], units: list[UnitPlan], year: int) -> None:
    """借调: a few teachers work elsewhere and register at the lending unit (155号 一（四）)."""
    public_schools = [u for u in units if u.ownership == "public" and u.kind not in (
        "tv_university", "teacher_development_center", "inspectorate")]
    hosts = [u for u in units if u.ownership == "public"]
    by_code = {u.code: u for u in units}
    candidates = [t for t in teachers if by_code[t.unit] in public_schools and not t.new_teacher
                  and t.special_post == "none" and t.on_payroll and t.in_post]
    count = max(1, len(teachers) * 6 // 1000)
    chosen = rng.sample(candidates, min(count, len(candidates)))
    # One of them due this year, so that a school sees a teacher it lends out in its list.
    due = [t for t in candidates if is_due_periodic(t, by_code[t.unit], year)]
    if due and not any(is_due_periodic(t, by_code[t.unit], year) for t in chosen):
        chosen[-1:] = [rng.choice(due)]
    for t in chosen:
        host = rng.choice([u for u in hosts if u.code != t.unit])
        t.seconded_from, t.unit = t.unit, host.code
        t.teacher_post_title = True


def _plan_district(seed: int, district: str, today: date, n_teachers: int, n_units: int,
                   reg: _Registry) -> DistrictPlan:
    rng = random.Random(f"tqr-demo:{seed}:{district}")
    config = data.DISTRICTS[district]
    units = _plan_units(rng, district, n_units)
    counts = _allocate(units, n_teachers)
    teachers = [_teacher(rng, reg, u, district, today) for u, k in zip(units, counts, strict=True) for _ in range(k)]
    if district == QIANJIANG:
        _add_exceptional_names(rng, reg, teachers)
    by_code = {u.code: u for u in units}
    _second(rng, teachers, units, today.year)
    pool = [t for t in teachers if by_code[t.unit].ownership == "public" and t.seconded_from is None
            and by_code[t.unit].kind not in ("tv_university", "teacher_development_center", "inspectorate")]
    _apply_cases(rng, reg, pool, n_teachers, district, today)
    named = [u.code for u in units if rng.random() < 0.7]
    contacts = list(config["contacts"] or [
        (_name(rng, "male", 1975), "区教委", _phone(rng)),
        (_name(rng, "female", 1980), config["review_body"], _phone(rng)),
    ])
    return DistrictPlan(district, config["full_name"], config["name"], units, teachers, named, contacts)


def _add_exceptional_names(rng: random.Random, reg: _Registry, teachers: list[TeacherPlan]) -> None:
    """A few names that break naive code: the middle dot (·) and characters outside the BMP."""
    if len(teachers) < 200:
        specials = data.DOT_NAMES[:1]
        astral = data.ASTRAL_NAMES[:1]
    else:
        specials, astral = data.DOT_NAMES, data.ASTRAL_NAMES
    picks = rng.sample(range(len(teachers)), len(specials) + len(astral))
    for i, (name, gender, ethnicity, area) in zip(picks, specials, strict=False):
        t = teachers[i]
        reg.ids.discard(t.id_number)
        t.name, t.gender, t.ethnicity = name, gender, ethnicity
        t.id_number = reg.resident_id(rng, area, t.birth_date, gender)
    for i, (name, gender) in zip(picks[len(specials):], astral, strict=False):
        t = teachers[i]
        if t.gender != gender:
            reg.ids.discard(t.id_number)
            t.gender = gender
            t.id_number = reg.resident_id(rng, t.id_number[:6], t.birth_date, gender)
        t.name = name
    for t in (teachers[i] for i in picks):  # keep the certificate's gender digit in step with the new ID
        for c in t.certificates:
            if len(c.number) == 17 and c.number[10] != ("1" if t.gender == "male" else "0"):
                c.number = reg.certificate_number(
                    rng, int(c.number[:4]), c.number[4:6], c.number[6:9], c.number[9],
                    "1" if t.gender == "male" else "0",
                )


def _pick_logins(rng: random.Random, reg: _Registry, district: DistrictPlan, today: date) -> list[TeacherPlan]:
    """t0001 and t0002 at one school, t0003 at another: due this round with everything in order."""
    by_code = {u.code: u for u in district.units}
    usable = [t for t in district.teachers if not t.demo_role and t.seconded_from is None]
    schools = [u for u in district.units if u.ownership == "public" and u.kind == "primary"]
    counts = {u.code: sum(1 for t in usable if t.unit == u.code) for u in schools}
    first = max(schools, key=lambda u: (counts[u.code] >= 2, not u.rural, counts[u.code], u.code))
    others = [u for u in district.units if u.ownership == "public" and u.code != first.code
              and u.kind in ("junior", "nine_year", "complete_secondary", "senior", "primary")]
    second = max(others, key=lambda u: (u.kind == "junior", sum(1 for t in usable if t.unit == u.code), u.code))
    picked = [t for t in usable if t.unit == first.code][:2] + [t for t in usable if t.unit == second.code][:1]
    if len(picked) < 3:
        raise ValueError("演示规模太小：找不到两所可放置 t0001–t0003 的学校")
    for t in picked:
        _make_clean_due(rng, reg, t, district.code, today)
        if not is_due_periodic(t, by_code[t.unit], today.year):
            raise AssertionError("a login teacher must be due")
    if first.code not in district.named_this_year:
        district.named_this_year.append(first.code)
        district.named_this_year.sort()
    return picked


def plan_demo(*, seed: int = 2023, today: date, teachers: int = 5000, units: int = 150) -> DemoPlan:
    """The whole demo: 黔江区 with ``units`` units and ``teachers`` teachers, and the small 武隆区."""
    if teachers < 2 * units:
        raise ValueError("教师人数至少应为单位数的两倍")
    reg = _Registry()
    qianjiang = _plan_district(seed, QIANJIANG, today, teachers, units, reg)
    wulong_teachers = max(20, min(150, teachers * 3 // 100))
    wulong = _plan_district(seed, WULONG, today, wulong_teachers, len(data.WULONG_UNITS), reg)

    rng = random.Random(f"tqr-demo:{seed}:accounts")
    logins = _pick_logins(rng, reg, qianjiang, today)
    qianjiang.teachers = logins + [t for t in qianjiang.teachers if all(t is not x for x in logins)]
    everyone = qianjiang.teachers + wulong.teachers
    width = max(4, len(str(len(everyone))))
    for i, t in enumerate(everyone, start=1):
        t.username = f"t{i:0{width}d}"
        t.email = f"{t.username}@{DEMO_EMAIL_DOMAIN}"

    staff = [StaffPlan("sysadmin", "sysadmin", "", _person(rng))]
    staff += [StaffPlan(f"qj_review{i}", "district_reviewer", QIANJIANG, _person(rng)) for i in (1, 2)]
    staff += [StaffPlan("wl_review1", "district_reviewer", WULONG, _person(rng))]
    staff += [StaffPlan("cq_review1", "city_reviewer", data.CITY[0], _person(rng)),
              StaffPlan("cq_approve1", "city_approver", data.CITY[0], _person(rng))]
    return DemoPlan(seed=seed, year=today.year, districts=[qianjiang, wulong], staff=staff)


# --- the schedule of a round ----------------------------------------------------------------------

# Offsets (days from the opening of the online application) of each window, from the 2023 seed:
# training 11-06, application 11-06…11-16, confirmation 11-17…11-20, initial review 11-21…11-24,
# notice 11-27…12-01, secondary review 12-04…12-06, final review 12-07…12-08. Recording and archiving
# have no dates in the seed: the Mondays after the final review, open-ended [assumed].
SHAPE: tuple[tuple[Phase, int, int | None], ...] = (
    (Phase.TRAINING, 0, 0),
    (Phase.APPLICATION, 0, 10),
    (Phase.CONFIRMATION, 11, 14),
    (Phase.INITIAL_REVIEW, 15, 18),
    (Phase.NOTICE, 21, 25),
    (Phase.SECONDARY_REVIEW, 28, 30),
    (Phase.FINAL_REVIEW, 31, 32),
    (Phase.RECORDING, 35, None),
    (Phase.ARCHIVING, 42, None),
)


@dataclass(frozen=True)
class Slot:
    phase: Phase
    start: date
    end: date | None
    place: str = ""
    note: str = ""


def _workdays(calendar: WorkdayCalendar, a: date, b: date) -> int:
    try:
        return calendar.workdays_between(a, b)
    except UnknownCalendarYear:
        # A year nobody entered yet: count the plain week rather than fail the demo.
        return sum(1 for i in range((b - a).days + 1) if (a + timedelta(days=i)).weekday() < 5)


def schedule(opens: date, *, district: str = QIANJIANG, training_day_before: bool = False,
             calendar: WorkdayCalendar | None = None, notice_workdays: int = 5) -> list[Slot]:
    """The seed's windows moved to ``opens``; the notice is stretched to ``notice_workdays`` working days.

    ``training_day_before`` holds the training the day before the application opens (instead of the same
    morning), so that a day exists on which training is the current phase.
    """
    calendar = calendar or WorkdayCalendar()
    config = data.DISTRICTS[district]
    extra = 0
    slots = []
    for phase, start, end in SHAPE:
        first = opens + timedelta(days=start + extra)
        last = None if end is None else opens + timedelta(days=end + extra)
        if phase == Phase.TRAINING and training_day_before:
            first = last = opens - timedelta(days=1)
        if phase == Phase.NOTICE:
            # 不少于5个工作日 (155号 三（四）2): a window over a weekend or holiday grows, the rest moves on.
            while _workdays(calendar, first, last) < notice_workdays:
                last += timedelta(days=1)
                extra += 1
        place, note = _PLACES_NOTES[phase]
        slots.append(Slot(phase, first, last, place.format(**config), note))
    return slots


_PLACES_NOTES: dict[Phase, tuple[str, str]] = {
    Phase.TRAINING: ("{training_place}", "上午9:00；各学校安排1名注册管理员参加"),
    Phase.APPLICATION: ("本系统首页“网上报名”", "申请人网上填报，打印申请表一式2份"),
    Phase.CONFIRMATION: ("各学校", "逾期未进行现场确认的学校或教师，视为自动放弃"),
    Phase.INITIAL_REVIEW: ("{materials_address}", "各学校携带注册材料及统计表（附件3）"),
    Phase.NOTICE: ("", "不少于5个工作日"),
    Phase.SECONDARY_REVIEW: ("", "市教师资格认定指导中心随机抽查"),
    Phase.FINAL_REVIEW: ("", "市教委终审"),
    Phase.RECORDING: ("{materials_address}", "粘贴注册贴或在注册页标注结论，加盖区教委公章（日期为演示设定）"),
    Phase.ARCHIVING: ("{materials_address}", "申请表一份存入人事档案，一份由初审机构归档（日期为演示设定）"),
}

# How many days into its window ``place_today`` puts today: the application opened three days ago.
_DAYS_IN = {Phase.APPLICATION: 3, Phase.RECORDING: 2, Phase.ARCHIVING: 2, Phase.TRAINING: 0}


def place_today(today: date, phase: Phase = Phase.APPLICATION, *, district: str = QIANJIANG,
                calendar: WorkdayCalendar | None = None) -> list[Slot]:
    """The seed's schedule moved so that ``today`` falls inside ``phase``'s window.

    The opening day is walked back until the phase starts on or before the wanted day; whatever is left
    (a notice stretched over a holiday moves the later phases in jumps) widens the gap before the phase,
    which then always comes after the notice, so the notice keeps its working days.
    Training is then held the day before the application opens, so that it is the current phase.
    """
    calendar = calendar or WorkdayCalendar()
    wanted = today - timedelta(days=_DAYS_IN.get(phase, 1))
    opens = wanted + timedelta(days=1)  # training may start the day before the opening
    while True:
        slots = schedule(opens, district=district, training_day_before=phase == Phase.TRAINING, calendar=calendar)
        start = next(s.start for s in slots if s.phase == phase)
        if start <= wanted:
            break
        opens -= timedelta(days=1)
    shift = wanted - start
    position = PHASE_ORDER.index(phase)
    return [
        replace(s, start=s.start + shift, end=s.end and s.end + shift) if PHASE_ORDER.index(s.phase) >= position
        else s
        for s in slots
    ]


# --- the announcement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnouncementPlan:
    document_number: str
    title: str
    addressees: str
    body: str
    issuing_body: str
    training_starts_at: datetime  # naive, local time (Asia/Shanghai)
    training_place: str
    group_info: str
    materials_address: str
    published_at: datetime  # naive, local time
    attachments: tuple[tuple[int, str, str], ...]


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _span(a: date, b: date, *, with_year: bool = True) -> str:
    left = (f"{a.year}年" if with_year or a.year != b.year else "") + f"{a.month}月{a.day}日"
    right = (f"{b.year}年" if b.year != a.year else "") + f"{b.month}月{b.day}日"
    return f"{left}-{right}"


def _compact_span(a: date, b: date) -> str:
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.year}年{a.month}月{a.day}-{b.day}日"  # as the seed writes 终审（2023年12月7-8日）
    return _span(a, b)


def announcement_body(district: str, year: int, slots: Sequence[Slot]) -> str:
    config = data.DISTRICTS[district]
    w = {s.phase: s for s in slots}
    hour, minute = data.TRAINING_TIME
    return data.ANNOUNCEMENT_BODY.format(
        year=year,
        training_day=_day(w[Phase.TRAINING].start),
        training_time=f"{hour}:{minute:02d}",
        application=_span(w[Phase.APPLICATION].start, w[Phase.APPLICATION].end),
        confirmation=_span(w[Phase.CONFIRMATION].start, w[Phase.CONFIRMATION].end),
        initial_and_notice=_span(w[Phase.INITIAL_REVIEW].start, w[Phase.NOTICE].end),
        initial_review=_span(w[Phase.INITIAL_REVIEW].start, w[Phase.INITIAL_REVIEW].end, with_year=False),
        notice=_span(w[Phase.NOTICE].start, w[Phase.NOTICE].end, with_year=False),
        secondary_review=_span(w[Phase.SECONDARY_REVIEW].start, w[Phase.SECONDARY_REVIEW].end),
        final_review=_compact_span(w[Phase.FINAL_REVIEW].start, w[Phase.FINAL_REVIEW].end),
        group=config["group"],
        training_place=config["training_place"],
        materials_office=config["materials_office"],
        materials_address=config["materials_address"],
        review_office=config["review_office"],
        review_body=config["review_body"],
    )


def announcement(district: str, year: int, slots: Sequence[Slot]) -> AnnouncementPlan:
    config = data.DISTRICTS[district]
    training = next(s for s in slots if s.phase == Phase.TRAINING).start
    hour, minute = data.TRAINING_TIME
    if district == QIANJIANG and year == data.SEED_YEAR:
        published = datetime(*data.SEED_PUBLISHED)
    else:
        published = datetime.combine(training - timedelta(days=6), datetime.min.time()).replace(hour=9)
    return AnnouncementPlan(
        document_number=f"{config['doc_prefix']}〔{year}〕{config['doc_serial']}号",
        title=f"关于开展{year}年中小学教师资格定期注册工作的通知",
        addressees=config["addressees"],
        body=announcement_body(district, year, slots),
        issuing_body=config["issuing_body"],
        training_starts_at=datetime.combine(training, datetime.min.time()).replace(hour=hour, minute=minute),
        training_place=config["training_place"],
        group_info=config["group"],
        materials_address=config["materials_address"],
        published_at=published,
        attachments=tuple((n, title.format(year=year), text.format(year=year)) for n, title, text in data.ATTACHMENTS),
    )


def round_title(district: str, year: int) -> str:
    return f"{data.DISTRICTS[district]['name']}{year}年中小学教师资格定期注册"
