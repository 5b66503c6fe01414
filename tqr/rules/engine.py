"""The registration rules: scope, kind, where to register, and the proposed conclusion with its reasons.

The contract is ``shared/domain/rules.md``. ``parse_case`` turns JSON-shaped data into a ``Case`` (strictly:
a missing field, a wrong type or an unknown value raises ``CaseError`` naming the field); ``evaluate``
applies the rules; ``Result.as_dict`` gives the output contract. Reviewers decide; the engine explains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .codes import OUTCOME_ORDER, REASONS
from .i18n import CLAUSE_SEPARATOR, Join, Text, gettext_noop
from .identifiers import (
    CERT_TYPES,
    POST_LEVEL_LABELS,
    Issue,
    decode_certificate,
    gender_mismatch,
    normalise,
    validate_certificate_number,
    validate_resident_id,
)

__all__ = [
    "APPROVALS",
    "CERTIFICATE_TYPES",
    "CONCLUSIONS",
    "ETHICS",
    "GRADES",
    "HEALTH",
    "OWNERSHIPS",
    "POST_LEVELS",
    "QUALIFICATION_STATUSES",
    "SPECIAL_POSTS",
    "UNIT_KINDS",
    "Case",
    "CaseError",
    "Interruption",
    "LastRegistration",
    "NewTeacher",
    "Period",
    "Reason",
    "Result",
    "Round",
    "RuleSettings",
    "Teacher",
    "Unit",
    "case_to_dict",
    "certificate_covers",
    "counted_years",
    "evaluate",
    "evaluate_dict",
    "one_year_after",
    "parse_case",
    "registration_kind",
]

# --- vocabularies (the values the contract allows) ------------------------------------------------

UNIT_KINDS = ("school", "vocational_center", "tv_university", "teacher_development_center", "inspectorate")
OWNERSHIPS = ("public", "private", "industry")
SPECIAL_POSTS = ("none", "unconverted", "converted")
POST_LEVELS = ("kindergarten", "primary", "junior", "senior", "vocational", "vocational_practice")
CERTIFICATE_TYPES = tuple(CERT_TYPES.values())  # post levels plus "higher"
CONCLUSIONS = ("qualified", "deferred", "unqualified")
GRADES = ("excellent", "qualified", "basic", "unqualified")
ETHICS = ("good", "violation", "serious_violation")
APPROVALS = ("study", "training", "exchange", "sick", "maternity", "other_approved")
HEALTH = ("fit", "unfit")
QUALIFICATION_STATUSES = ("valid", "revoked", "lost")

# Units whose staff register only when they hold a teacher post title (黔江教办〔2023〕155号 一（二）).
TITLE_REQUIRED_UNIT_KINDS = ("tv_university", "teacher_development_center", "inspectorate")

GRADE_LABELS = {
    "excellent": gettext_noop("优秀"),
    "qualified": gettext_noop("合格"),
    "basic": gettext_noop("基本合格"),
    "unqualified": gettext_noop("不合格"),
}
QUALIFICATION_STATUS_LABELS = {
    "valid": gettext_noop("有效"),
    "revoked": gettext_noop("已被依法撤销"),
    "lost": gettext_noop("已依法丧失"),
}


@dataclass(frozen=True)
class RuleSettings:
    """Per-round thresholds; defaults are the national ones (教师〔2013〕9号, 黔江教办〔2023〕155号)."""

    # Training hours needed in the 5-year validity period (D1); provinces may set credits instead.
    required_training_hours: int = 360
    # One semester, in days: an unapproved interruption longer than this defers registration (D2).
    semester_days: int = 140
    # Private (民办) schools are outside the 2023 seed round; a district may include them (OUT_OWNERSHIP).
    include_private: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.required_training_hours, int) or self.required_training_hours < 0:
            raise ValueError("required_training_hours must be a non-negative integer")
        if not isinstance(self.semester_days, int) or self.semester_days < 1:
            raise ValueError("semester_days must be a positive integer")
        if not isinstance(self.include_private, bool):
            raise ValueError("include_private must be a bool")


# --- the case ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    year: int
    application_opens: date


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str
    ownership: str


@dataclass(frozen=True)
class NewTeacher:
    probation_passed: bool
    pre_service_training_done: bool


@dataclass(frozen=True)
class Teacher:
    name: str
    id_number: str
    certificate_number: str
    post_level: str
    unit: Unit
    on_payroll: bool
    in_post: bool
    teacher_post_title: bool
    special_post: str
    new_teacher: NewTeacher | None
    seconded_from: str | None
    certificate_type: str | None = None  # needed for 15-digit certificates; 17 digits carry their type


@dataclass(frozen=True)
class LastRegistration:
    conclusion: str
    valid_until: date


@dataclass(frozen=True)
class Interruption:
    days: int
    approved: str | None


@dataclass(frozen=True)
class Period:
    annual_assessments: Mapping[int, str]  # year → grade; a year not in the mapping has no assessment
    training_hours: int | float
    ethics: str
    interruptions: tuple[Interruption, ...]
    health: str
    qualification_status: str


@dataclass(frozen=True)
class Case:
    label: str | None
    round: Round
    teacher: Teacher
    last_registration: LastRegistration | None
    period: Period


# --- parsing -------------------------------------------------------------------------------------


class CaseError(ValueError):
    """Malformed input. ``field`` is the dotted path of the culprit, e.g. ``teacher.unit.kind``."""

    def __init__(self, field: str, problem_zh: str, problem_en: str, *, case_label: str | None = None):
        self.field = field
        self.case_label = case_label
        self.problem_zh = problem_zh
        self.problem_en = problem_en
        super().__init__(self.message)

    @property
    def message(self) -> str:
        zh_case = f"案例「{self.case_label}」" if self.case_label is not None else "案例（未命名）"  # i18n: data (input-contract error, Chinese and English side by side)
        en_case = f'case "{self.case_label}"' if self.case_label is not None else "unnamed case"
        zh_field = f"字段 {self.field} " if self.field else ""  # i18n: data (input-contract error, Chinese and English side by side)
        en_field = f"field {self.field}: " if self.field else ""
        return f"{zh_case}：{zh_field}{self.problem_zh}。{en_case}: {en_field}{self.problem_en}."


_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_KEY_RE = re.compile(r"[0-9]{4}")
_MISSING = object()


class _Reader:
    """Walks the input, keeping the case label so that every error names the case and the field."""

    def __init__(self, label: str | None):
        self.label = label

    def fail(self, path: str, zh: str, en: str) -> CaseError:
        return CaseError(path, zh, en, case_label=self.label)

    def object(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(value, dict):
            raise self.fail(path, f"应为对象，实为 {_json_type(value)}", f"expected an object, got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
        for key in value:
            if key not in required and key not in optional:
                where = _join(path, str(key))
                raise self.fail(where, "不是可识别的字段（请检查拼写）", "unknown field (check the spelling)")  # i18n: data (input-contract error, Chinese and English side by side)
        for key in required:
            if key not in value:
                raise self.fail(_join(path, key), "缺失", "is missing")  # i18n: data (input-contract error, Chinese and English side by side)
        return value

    def string(self, value: Any, path: str, *, nullable: bool = False, non_empty: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            expected = "字符串或 null" if nullable else "字符串"  # i18n: data (input-contract error, Chinese and English side by side)
            raise self.fail(path, f"应为{expected}，实为 {_json_type(value)}", f"expected a string, got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
        if non_empty and not value.strip():
            raise self.fail(path, "不能为空", "must not be empty")  # i18n: data (input-contract error, Chinese and English side by side)
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"应为 true 或 false，实为 {_json_type(value)}", f"expected true or false, got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
        return value

    def integer(self, value: Any, path: str, *, minimum: int | None = None) -> int:
        # bool is an int subclass in Python; true/false is never a count.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(path, f"应为整数，实为 {_json_type(value)}", f"expected an integer, got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
        if minimum is not None and value < minimum:
            raise self.fail(path, f"不能小于 {minimum}", f"must be at least {minimum}")  # i18n: data (input-contract error, Chinese and English side by side)
        return value

    def number(self, value: Any, path: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, f"应为数字，实为 {_json_type(value)}", f"expected a number, got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(path, "应为有限数字", "must be a finite number")  # i18n: data (input-contract error, Chinese and English side by side)
        if value < 0:
            raise self.fail(path, "不能为负数", "must not be negative")  # i18n: data (input-contract error, Chinese and English side by side)
        return value

    def choice(self, value: Any, path: str, allowed: tuple[str, ...], *, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or value not in allowed:
            shown = "、".join(allowed) + ("、null" if nullable else "")
            got = value if isinstance(value, str) else _json_type(value)
            raise self.fail(
                path,
                f"的值 {got!r} 不是允许的取值（{shown}）",  # i18n: data (input-contract error, Chinese and English side by side)
                f"unknown value {got!r}; expected one of {', '.join(allowed)}{', null' if nullable else ''}",
            )
        return value

    def day(self, value: Any, path: str) -> date:
        if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
            got = repr(value) if isinstance(value, str) else _json_type(value)
            raise self.fail(path, f"应为 YYYY-MM-DD 格式的日期，实为 {got}", f"expected a YYYY-MM-DD date, got {got}")  # i18n: data (input-contract error, Chinese and English side by side)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"{value} 不是有效日期", f"{value} is not a real date") from None  # i18n: data (input-contract error, Chinese and English side by side)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def parse_case(obj: object) -> Case:
    """Validate the input shape strictly and build a ``Case``; raise ``CaseError`` naming the field."""
    label = obj.get("case") if isinstance(obj, dict) else None
    label = label if isinstance(label, str) else None
    r = _Reader(label)
    top = r.object(obj, "", ("round", "teacher", "last_registration", "period"), ("case",))
    if "case" in top:
        r.string(top["case"], "case", nullable=True)

    rnd = r.object(top["round"], "round", ("year", "application_opens"))
    round_ = Round(
        year=r.integer(rnd["year"], "round.year", minimum=1000),
        application_opens=r.day(rnd["application_opens"], "round.application_opens"),
    )

    t = r.object(
        top["teacher"],
        "teacher",
        (
            "name", "id_number", "certificate_number", "post_level", "unit", "on_payroll", "in_post",
            "teacher_post_title", "special_post", "new_teacher", "seconded_from",
        ),
        ("certificate_type",),
    )
    u = r.object(t["unit"], "teacher.unit", ("code", "kind", "ownership"))
    unit = Unit(
        code=r.string(u["code"], "teacher.unit.code", non_empty=True),
        kind=r.choice(u["kind"], "teacher.unit.kind", UNIT_KINDS),
        ownership=r.choice(u["ownership"], "teacher.unit.ownership", OWNERSHIPS),
    )
    new_teacher = None
    if t["new_teacher"] is not None:
        nt = r.object(t["new_teacher"], "teacher.new_teacher", ("probation_passed", "pre_service_training_done"))
        new_teacher = NewTeacher(
            probation_passed=r.boolean(nt["probation_passed"], "teacher.new_teacher.probation_passed"),
            pre_service_training_done=r.boolean(
                nt["pre_service_training_done"], "teacher.new_teacher.pre_service_training_done"
            ),
        )
    seconded_from = r.string(t["seconded_from"], "teacher.seconded_from", nullable=True)
    if seconded_from is not None and not seconded_from.strip():
        raise r.fail("teacher.seconded_from", "不能为空字符串（没有借调时填 null）", "must not be empty (use null)")  # i18n: data (input-contract error, Chinese and English side by side)
    teacher = Teacher(
        name=r.string(t["name"], "teacher.name"),
        id_number=r.string(t["id_number"], "teacher.id_number"),
        certificate_number=r.string(t["certificate_number"], "teacher.certificate_number"),
        certificate_type=r.choice(
            t.get("certificate_type"), "teacher.certificate_type", CERTIFICATE_TYPES, nullable=True
        ),
        post_level=r.choice(t["post_level"], "teacher.post_level", POST_LEVELS),
        unit=unit,
        on_payroll=r.boolean(t["on_payroll"], "teacher.on_payroll"),
        in_post=r.boolean(t["in_post"], "teacher.in_post"),
        teacher_post_title=r.boolean(t["teacher_post_title"], "teacher.teacher_post_title"),
        special_post=r.choice(t["special_post"], "teacher.special_post", SPECIAL_POSTS),
        new_teacher=new_teacher,
        seconded_from=seconded_from,
    )

    last = None
    if top["last_registration"] is not None:
        lr = r.object(top["last_registration"], "last_registration", ("conclusion", "valid_until"))
        last = LastRegistration(
            conclusion=r.choice(lr["conclusion"], "last_registration.conclusion", CONCLUSIONS),
            valid_until=r.day(lr["valid_until"], "last_registration.valid_until"),
        )

    p = r.object(
        top["period"],
        "period",
        ("annual_assessments", "training_hours", "ethics", "interruptions", "health", "qualification_status"),
    )
    period = Period(
        annual_assessments=_parse_assessments(r, p["annual_assessments"]),
        training_hours=r.number(p["training_hours"], "period.training_hours"),
        ethics=r.choice(p["ethics"], "period.ethics", ETHICS),
        interruptions=_parse_interruptions(r, p["interruptions"]),
        health=r.choice(p["health"], "period.health", HEALTH),
        qualification_status=r.choice(p["qualification_status"], "period.qualification_status", QUALIFICATION_STATUSES),
    )
    return Case(label=label, round=round_, teacher=teacher, last_registration=last, period=period)


def _parse_assessments(r: _Reader, value: Any) -> dict[int, str]:
    path = "period.annual_assessments"
    if not isinstance(value, dict):
        raise r.fail(path, f"应为对象（年度 → 等次），实为 {_json_type(value)}", f"expected an object (year → grade), got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
    out: dict[int, str] = {}
    for key, grade in value.items():
        where = f"{path}.{key}"
        # JSON keys are strings; Python callers may pass int years.
        if isinstance(key, int) and not isinstance(key, bool):
            year = key
        elif isinstance(key, str) and _YEAR_KEY_RE.fullmatch(key):
            year = int(key)
        else:
            raise r.fail(where, "键应为四位年份，如 \"2020\"", 'key must be a four-digit year such as "2020"')  # i18n: data (input-contract error, Chinese and English side by side)
        if year in out:
            raise r.fail(where, "年份重复", "duplicate year")  # i18n: data (input-contract error, Chinese and English side by side)
        # null means "no assessment for that year", the same as leaving the year out (→ R4 if it counts).
        if grade is not None:
            out[year] = r.choice(grade, where, GRADES)
    return out


def _parse_interruptions(r: _Reader, value: Any) -> tuple[Interruption, ...]:
    path = "period.interruptions"
    if not isinstance(value, list):
        raise r.fail(path, f"应为数组，实为 {_json_type(value)}", f"expected an array, got {_json_type(value)}")  # i18n: data (input-contract error, Chinese and English side by side)
    out = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        obj = r.object(item, where, ("days", "approved"))
        out.append(
            Interruption(
                days=r.integer(obj["days"], f"{where}.days", minimum=0),
                approved=r.choice(obj["approved"], f"{where}.approved", APPROVALS, nullable=True),
            )
        )
    return tuple(out)


def case_to_dict(case: Case) -> dict[str, Any]:
    """The JSON-shaped input for a ``Case``; ``parse_case(case_to_dict(c)) == c``."""
    t = case.teacher
    teacher: dict[str, Any] = {
        "name": t.name,
        "id_number": t.id_number,
        "certificate_number": t.certificate_number,
        "post_level": t.post_level,
        "unit": {"code": t.unit.code, "kind": t.unit.kind, "ownership": t.unit.ownership},
        "on_payroll": t.on_payroll,
        "in_post": t.in_post,
        "teacher_post_title": t.teacher_post_title,
        "special_post": t.special_post,
        "new_teacher": None
        if t.new_teacher is None
        else {
            "probation_passed": t.new_teacher.probation_passed,
            "pre_service_training_done": t.new_teacher.pre_service_training_done,
        },
        "seconded_from": t.seconded_from,
    }
    if t.certificate_type is not None:
        teacher["certificate_type"] = t.certificate_type
    last = case.last_registration
    p = case.period
    return {
        "case": case.label,
        "round": {"year": case.round.year, "application_opens": case.round.application_opens.isoformat()},
        "teacher": teacher,
        "last_registration": None
        if last is None
        else {"conclusion": last.conclusion, "valid_until": last.valid_until.isoformat()},
        "period": {
            "annual_assessments": {str(y): g for y, g in sorted(p.annual_assessments.items())},
            "training_hours": p.training_hours,
            "ethics": p.ethics,
            "interruptions": [{"days": i.days, "approved": i.approved} for i in p.interruptions],
            "health": p.health,
            "qualification_status": p.qualification_status,
        },
    }


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One rule that applies: its code, the clause behind it, a message for the teacher, the numbers."""

    code: str
    clause: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return REASONS[self.code].outcome

    @property
    def text(self) -> Text:
        """The message as a ``Text`` (``tqr.rules.i18n``), rebuilt from the code and the evidence."""
        return reason_text(self.code, self.evidence)

    @property
    def template(self) -> str:
        return self.text.template

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.text.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "clause": self.clause, "message": self.message, "evidence": self.evidence}


@dataclass(frozen=True)
class Result:
    case: str | None
    valid: bool
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    in_scope: bool | None = None
    scope_reason: str | None = None
    kind: str | None = None
    register_at: str | None = None
    proposal: str | None = None
    reasons: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "valid": self.valid,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "in_scope": self.in_scope,
            "scope_reason": self.scope_reason,
            "kind": self.kind,
            "register_at": self.register_at,
            "proposal": self.proposal,
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


# --- the rules -----------------------------------------------------------------------------------


def one_year_after(day: date) -> date:
    """Same day one year later; 29 February becomes 28 February (民法典第二百零二条: no such day → month end)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def registration_kind(case: Case) -> str:
    """first (never registered), periodic (after 合格) or reapply (after 暂缓注册)."""
    last = case.last_registration
    if last is None:
        return "first"
    # An unqualified last conclusion is out of scope before the kind is asked; reapply is the safe reading.
    return "periodic" if last.conclusion == "qualified" else "reapply"


def counted_years(case: Case) -> tuple[int, ...]:
    """The years whose annual assessment counts, oldest first.

    Periodic and reapply: the five calendar years before the round year (round 2023 → 2018–2022).
    First registration: the year before the round year; none for a new teacher, whose probation
    assessment stands in (黔江教办〔2023〕155号 三（三）5).
    """
    year = case.round.year
    if registration_kind(case) != "first":
        return tuple(range(year - 5, year))
    if case.teacher.new_teacher is not None:
        return ()
    return (year - 1,)


def certificate_type(case: Case) -> str | None:
    """The certificate's level: read from a 17-digit number, else the declared ``certificate_type``."""
    number = normalise(case.teacher.certificate_number)
    if len(number) == 17:
        return decode_certificate(number).type
    return case.teacher.certificate_type


# 《教师资格条例》第五条: a certificate covers its own level and those below; 高级中学 and 中等职业学校
# certificates are interchangeable; 实习指导 is a world of its own.
_LEVEL_RANK = {"kindergarten": 1, "primary": 2, "junior": 3, "senior": 4, "vocational": 4, "higher": 5}


def certificate_covers(cert_type: str | None, post_level: str) -> bool:
    if cert_type is None:
        return False
    if cert_type == "vocational_practice" or post_level == "vocational_practice":
        return cert_type == post_level
    return _LEVEL_RANK[cert_type] >= _LEVEL_RANK[post_level]


def scope_reason(case: Case, settings: RuleSettings = RuleSettings()) -> str | None:
    """The first scope rule that leaves the teacher out of this round, in the contract's order."""
    t = case.teacher
    if certificate_type(case) == "higher":
        return "OUT_HIGHER_ED_CERT"
    if t.unit.ownership == "industry" or (t.unit.ownership == "private" and not settings.include_private):
        return "OUT_OWNERSHIP"
    if not (t.on_payroll and t.in_post):
        return "OUT_NOT_IN_POST"
    if t.unit.kind in TITLE_REQUIRED_UNIT_KINDS and not t.teacher_post_title:
        return "OUT_NO_TEACHER_TITLE"
    if t.special_post == "unconverted":
        return "OUT_SPECIAL_POST"
    if t.new_teacher is not None and not (t.new_teacher.probation_passed and t.new_teacher.pre_service_training_done):
        return "OUT_NEW_TEACHER"
    last = case.last_registration
    if last is not None and last.conclusion == "unqualified":
        return "OUT_LAST_UNQUALIFIED"
    # Still valid a year from now: the next round covers it.
    if last is not None and last.conclusion == "qualified" and last.valid_until >= one_year_after(case.round.application_opens):
        return "OUT_NOT_DUE"
    return None


def _number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def reason_text(code: str, evidence: Mapping[str, Any]) -> Text:
    """The message of a reason, from its code and evidence: the evidence holds every value the message shows,
    so a stored reason (``Reason.as_dict``) can be shown again, in any language, without the case."""
    e = evidence
    if code == "U1":
        return Text(gettext_noop("师德考核认定有违反《中小学教师职业道德规范》、影响恶劣的行为，按规定注册结论为不合格"))
    if code == "U2":
        runs = Join(
            [Text(gettext_noop("%(years)s 年连续 %(count)s 年"), {"years": Join(run), "count": len(run)}) for run in e["runs"]],
            CLAUSE_SEPARATOR,
        )
        return Text(gettext_noop("%(runs)s年度考核不合格，按规定注册结论为不合格"), {"runs": runs})
    if code == "U3":
        return Text(
            gettext_noop("教师资格%(status)s，按规定注册结论为不合格"),
            {"status": QUALIFICATION_STATUS_LABELS[e["qualification_status"]]},
        )
    if code == "D1":
        return Text(
            gettext_noop("培训学时 %(hours)s，需满 %(required)s 学时，按规定将暂缓注册"),
            {"hours": _number(e["training_hours"]), "required": e["required"]},
        )
    if code == "D2":
        return Text(
            gettext_noop("未经批准中断教育教学工作 %(days)s 天，超过一个学期（%(semester_days)s 天），按规定将暂缓注册"),
            {"days": Join([item["days"] for item in e["interruptions"]]), "semester_days": e["semester_days"]},
        )
    if code == "D3":
        return Text(gettext_noop("%(years)s 年年度考核不合格，按规定将暂缓注册"), {"years": Join(e["years"])})
    if code == "R1":
        return Text(gettext_noop("师德考核有违规记录（未认定为严重），请审核人员核实后决定"))
    if code == "R2":
        return Text(
            gettext_noop("%(years)s 年年度考核为基本合格，未达到“合格以上等次”，请审核人员核实后决定"),
            {"years": Join(e["years"])},
        )
    if code == "R3":
        return Text(gettext_noop("身心健康证明显示不能胜任教育教学工作，请审核人员核实后决定"))
    if code == "R4":
        return Text(
            gettext_noop("缺少 %(years)s 年的年度考核结果，请补交年度考核证明"), {"years": Join(e["missing_years"])}
        )
    if code == "R5":
        post = POST_LEVEL_LABELS[e["post_level"]]
        if e["certificate_type"] is None:
            return Text(
                gettext_noop("旧版证书号码看不出资格种类，无法核对是否可在%(post)s任教，请审核人员核对证书原件"),
                {"post": post},
            )
        return Text(
            gettext_noop("持有%(certificate)s教师资格，任教岗位为%(post)s，资格与任教学段不符，请审核人员核对"),
            {"certificate": POST_LEVEL_LABELS[e["certificate_type"]], "post": post},
        )
    raise KeyError(f"no message for reason code {code!r}")


def _reason(code: str, evidence: dict[str, Any]) -> Reason:
    return Reason(code=code, clause=REASONS[code].clause, message=reason_text(code, evidence).render(), evidence=evidence)


def _unqualified_runs(grades: Mapping[int, str], years: tuple[int, ...]) -> list[list[int]]:
    """Maximal runs of consecutive counted years graded unqualified."""
    runs: list[list[int]] = []
    current: list[int] = []
    for year in years:
        if grades.get(year) == "unqualified" and (not current or current[-1] == year - 1):
            current.append(year)
            continue
        if len(current) >= 2:
            runs.append(current)
        current = [year] if grades.get(year) == "unqualified" else []
    if len(current) >= 2:
        runs.append(current)
    return runs


def reasons(case: Case, settings: RuleSettings = RuleSettings()) -> tuple[Reason, ...]:
    """Every rule that applies to an in-scope case, most severe first."""
    kind = registration_kind(case)
    p = case.period
    years = counted_years(case)
    grades = p.annual_assessments
    out: list[Reason] = []

    # 不合格 (教师〔2013〕9号 第十条)
    if p.ethics == "serious_violation":
        out.append(_reason("U1", {"ethics": p.ethics}))
    runs = _unqualified_runs(grades, years)
    if runs:
        out.append(_reason("U2", {"years": [y for run in runs for y in run], "runs": runs}))
    if p.qualification_status in ("revoked", "lost"):
        out.append(_reason("U3", {"qualification_status": p.qualification_status}))

    # 暂缓注册 (第九条)
    required = settings.required_training_hours
    if kind in ("periodic", "reapply") and p.training_hours < required:
        out.append(_reason("D1", {"training_hours": p.training_hours, "required": required}))
    long_unapproved = [
        {"index": i, "days": item.days}
        for i, item in enumerate(p.interruptions)
        if item.approved is None and item.days > settings.semester_days
    ]
    if long_unapproved:
        out.append(_reason("D2", {"interruptions": long_unapproved, "semester_days": settings.semester_days}))
    in_runs = {y for run in runs for y in run}
    single_unqualified = [y for y in years if grades.get(y) == "unqualified" and y not in in_runs]
    if single_unqualified:
        out.append(_reason("D3", {"years": single_unqualified}))

    # 需人工审核: a 合格 condition (第八条) is in doubt; the reviewer decides.
    if p.ethics == "violation":
        out.append(_reason("R1", {"ethics": p.ethics}))
    basic = [y for y in years if grades.get(y) == "basic"]
    if basic:
        out.append(_reason("R2", {"years": basic}))
    if p.health == "unfit":
        out.append(_reason("R3", {"health": p.health}))
    missing = [y for y in years if y not in grades]
    if missing:
        out.append(_reason("R4", {"missing_years": missing, "counted_years": list(years)}))
    cert = certificate_type(case)
    post = case.teacher.post_level
    if not certificate_covers(cert, post):
        out.append(_reason("R5", {"certificate_type": cert, "post_level": post}))
    return tuple(out)


def proposal(found: tuple[Reason, ...]) -> str:
    """The most severe outcome among the reasons: unqualified > deferred > needs_review > qualified."""
    outcomes = {reason.outcome for reason in found}
    return next((o for o in OUTCOME_ORDER if o in outcomes), "qualified")


def evaluate(case: Case, settings: RuleSettings = RuleSettings()) -> Result:
    t = case.teacher
    errors = validate_resident_id(t.id_number, not_after=case.round.application_opens)
    errors += validate_certificate_number(t.certificate_number, round_year=case.round.year)
    mismatch = gender_mismatch(t.id_number, t.certificate_number)
    warnings = (mismatch,) if mismatch else ()
    if errors:
        return Result(case=case.label, valid=False, errors=tuple(errors), warnings=warnings)
    out = scope_reason(case, settings)
    if out is not None:
        return Result(case=case.label, valid=True, warnings=warnings, in_scope=False, scope_reason=out)
    found = reasons(case, settings)
    return Result(
        case=case.label,
        valid=True,
        warnings=warnings,
        in_scope=True,
        kind=registration_kind(case),
        # 借调教师在借出单位参加注册 (黔江教办〔2023〕155号 一（四）)
        register_at=t.seconded_from if t.seconded_from is not None else t.unit.code,
        proposal=proposal(found),
        reasons=found,
    )


def evaluate_dict(obj: object, settings: RuleSettings = RuleSettings()) -> dict[str, Any]:
    """parse + evaluate + as_dict; raises ``CaseError`` for malformed input."""
    return evaluate(parse_case(obj), settings).as_dict()
