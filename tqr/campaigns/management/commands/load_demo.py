"""python manage.py load_demo — 重庆市 → 黔江区 (and the small 武隆区) with units, teachers, accounts and rounds.

Idempotent: once 黔江区 (500114) exists nothing is generated again; ``--phase`` then only moves the current
rounds' windows so that today falls in that phase. The data comes from ``tqr.demo.generate`` (pure, seeded);
this command writes it with bulk inserts in one transaction and prints the logins.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tqr.accounts.models import Organisation, Role, User
from tqr.campaigns.models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementContact,
    RegistrationAdministrator,
    Round,
)
from tqr.campaigns.services import WindowSpec, round_create, round_set_windows
from tqr.campaigns.workdays import calendar as workday_calendar
from tqr.demo import data
from tqr.demo.generate import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    QIANJIANG,
    WULONG,
    DemoPlan,
    Slot,
    announcement,
    place_today,
    plan_demo,
    round_title,
    schedule,
)
from tqr.rules.phases import Phase, Window, phase_status
from tqr.teachers.models import (
    AnnualAssessment,
    Certificate,
    Interruption,
    RegistrationRecord,
    TeacherProfile,
    TrainingRecord,
)

# The seed's notice is dated in China; announcement times are local to the district.
LOCAL = ZoneInfo("Asia/Shanghai")
BATCH = 1000
DISTRICT_CODES = (QIANJIANG, WULONG)


class Command(BaseCommand):
    help = (
        "载入演示数据（可重复执行）：重庆市 → 黔江区（约150个单位、5000名教师）及武隆区，"
        "2023年度和本年度注册工作，并打印登录账号。Load the demo districts (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2023, help="随机种子（默认 2023）；同一种子数据相同")
        parser.add_argument("--teachers", type=int, default=5000, help="黔江区教师人数（默认 5000）")
        parser.add_argument("--units", type=int, default=150, help="黔江区单位数（默认 150）")
        parser.add_argument(
            "--phase", choices=[p.value for p in Phase], default=None,
            help="把本年度注册工作的时间安排移动到今天处于该环节（默认：网上报名进行中）",
        )

    def handle(self, *args, seed: int, teachers: int, units: int, phase: str | None, **options):
        started = time.monotonic()
        today = timezone.localdate()
        if today.year <= data.SEED_YEAR:
            raise CommandError(f"系统日期为 {today}：本年度注册工作须晚于 {data.SEED_YEAR} 年度（种子通知）")
        wanted = Phase(phase) if phase else None
        with transaction.atomic():
            if Organisation.objects.filter(code=QIANJIANG).exists():
                changed = self._refresh(today, wanted, seed)
                note = "演示数据已存在，未重新生成（--seed、--teachers、--units 只在首次载入时起作用）"
                if changed:
                    note += "；已调整本年度注册工作的时间安排"
            else:
                try:
                    plan = plan_demo(seed=seed, today=today, teachers=teachers, units=units)
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
                self._check_free(plan)
                changed = self._load(plan, today, wanted or Phase.APPLICATION)
                note = f"已生成演示数据（种子 {seed}）"
            evaluated = self._evaluate(changed)
        self._report(today, note, evaluated, time.monotonic() - started)

    # --- first load -------------------------------------------------------------------------------

    def _check_free(self, plan: DemoPlan) -> None:
        """Refuse to load over accounts someone made by hand; an existing sysadmin is kept as it is."""
        names = {s.username for s in plan.staff} | {t.username for t in plan.teachers}
        names |= {f"sa_{u.code}" for d in plan.districts for u in d.units}
        names.discard("sysadmin")
        taken = sorted(User.objects.filter(username__in=names).values_list("username", flat=True))
        if taken:
            raise CommandError(f"以下账号已存在，无法载入演示数据：{'、'.join(taken[:5])}")

    def _load(self, plan: DemoPlan, today: date, phase: Phase) -> list[Round]:
        now = timezone.now()
        password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 per user would take minutes
        city, _ = Organisation.objects.get_or_create(
            code=data.CITY[0], defaults={"kind": Organisation.Kind.CITY, "name": data.CITY[1], "short_name": data.CITY[2]}
        )
        districts = {
            d.code: Organisation.objects.create(
                kind=Organisation.Kind.DISTRICT, parent=city, code=d.code, name=d.name, short_name=d.short_name
            )
            for d in plan.districts
        }
        unit_rows = Organisation.objects.bulk_create(
            [
                Organisation(
                    kind=u.kind, parent=districts[d.code], code=u.code, name=u.name, short_name=u.short_name,
                    ownership=u.ownership, address=u.address,
                )
                for d in plan.districts for u in d.units
            ],
            batch_size=BATCH,
        )
        orgs = {o.code: o for o in [city, *districts.values(), *unit_rows]}

        def account(username, role, org, person_name, phone="", **extra):
            return User(
                username=username, password=password, role=role, organisation=org, display_name=person_name,
                phone=phone, email=f"{username}@{DEMO_EMAIL_DOMAIN}", password_changed_at=now, email_verified_at=now,
                **extra,
            )

        sysadmin_exists = User.objects.filter(username="sysadmin").exists()
        staff = [
            account(s.username, s.role, orgs.get(s.organisation), s.person.name, s.person.phone,
                    is_staff=s.role == Role.SYSADMIN, is_superuser=s.role == Role.SYSADMIN)
            for s in plan.staff
            if not (s.username == "sysadmin" and sysadmin_exists)
        ]
        admins = [
            account(f"sa_{u.code}", Role.SCHOOL_ADMIN, orgs[u.code], u.admin.name, u.admin.phone)
            for d in plan.districts for u in d.units
        ]
        teacher_users = [account(t.username, Role.TEACHER, orgs[t.unit], t.name, t.phone) for t in plan.teachers]
        User.objects.bulk_create(staff + admins + teacher_users, batch_size=BATCH)
        admin_by_unit = {a.organisation.code: a for a in admins}

        profiles = []
        for t, user in zip(plan.teachers, teacher_users, strict=True):
            p = TeacherProfile(
                user=user, name=t.name, gender=t.gender, ethnicity=t.ethnicity, birth_date=t.birth_date,
                phone=t.phone, email=t.email, unit=orgs[t.unit], post_level=t.post_level, subject=t.subject,
                title=t.title, teacher_post_title=t.teacher_post_title, on_payroll=t.on_payroll, in_post=t.in_post,
                hire_date=t.hire_date, new_teacher=t.new_teacher, probation_passed=t.probation_passed,
                pre_service_training_done=t.pre_service_training_done, special_post=t.special_post,
                seconded_from=orgs[t.seconded_from] if t.seconded_from else None, ethics=t.ethics, health=t.health,
                qualification_status=t.qualification_status,
            )
            p.set_id_number(t.id_number)
            profiles.append(p)
        TeacherProfile.objects.bulk_create(profiles, batch_size=BATCH)

        certificates = [
            [Certificate(teacher=p, number=c.number, cert_type=c.cert_type, subject=c.subject,
                         certifying_body=c.certifying_body, issue_date=c.issue_date) for c in t.certificates]
            for t, p in zip(plan.teachers, profiles, strict=True)
        ]
        Certificate.objects.bulk_create([c for row in certificates for c in row], batch_size=BATCH)

        # The 2023 round of 黔江 as the seed has it; then this year's round of both districts.
        seed_slots = schedule(data.SEED_APPLICATION_OPENS, district=QIANJIANG)
        qianjiang = plan.districts[0]
        seed_round = self._create_round(
            QIANJIANG, districts[QIANJIANG], data.SEED_YEAR, seed_slots, qianjiang.contacts
        )
        self._name_administrators(
            seed_round, [(orgs[u.code], u.admin_2023, admin_by_unit[u.code]) for u in qianjiang.units]
        )
        current = []
        cal = workday_calendar()
        for d in plan.districts:
            slots = place_today(today, phase, district=d.code, calendar=cal)
            round_ = self._create_round(d.code, districts[d.code], today.year, slots, d.contacts)
            named = set(d.named_this_year)
            self._name_administrators(
                round_, [(orgs[u.code], u.admin, admin_by_unit[u.code]) for u in d.units if u.code in named]
            )
            current.append(round_)

        records, assessments, training, interruptions = [], [], [], []
        for t, p, certs in zip(plan.teachers, profiles, certificates, strict=True):
            in_qianjiang = t.unit.startswith(QIANJIANG) or (t.seconded_from or "").startswith(QIANJIANG)
            for r in t.registrations:
                records.append(RegistrationRecord(
                    teacher=p, certificate=certs[r.certificate], year=r.year, kind=r.kind, conclusion=r.conclusion,
                    valid_from=r.valid_from, valid_until=r.valid_until,
                    round=seed_round if in_qianjiang and r.year == data.SEED_YEAR else None,
                ))
            assessments += [AnnualAssessment(teacher=p, year=y, grade=g) for y, g in sorted(t.assessments.items())]
            training += [TrainingRecord(teacher=p, year=y, hours=h) for y, h in sorted(t.training.items())]
            interruptions += [
                Interruption(teacher=p, start_date=i.start, end_date=i.end, approved=i.approved, note=i.note)
                for i in t.interruptions
            ]
        RegistrationRecord.objects.bulk_create(records, batch_size=BATCH)
        AnnualAssessment.objects.bulk_create(assessments, batch_size=BATCH)
        TrainingRecord.objects.bulk_create(training, batch_size=BATCH)
        Interruption.objects.bulk_create(interruptions, batch_size=BATCH)
        return current

    def _create_round(self, code: str, district: Organisation, year: int, slots: list[Slot],
                      contacts: list[tuple[str, str, str]]) -> Round:
        round_ = round_create(
            district=district, year=year, title=round_title(code, year), windows=[_spec(s) for s in slots]
        )
        plan = announcement(code, year, slots)
        note = Announcement.objects.create(round=round_, **_announcement_fields(plan))
        AnnouncementContact.objects.bulk_create(
            AnnouncementContact(announcement=note, name=n, organisation=o, phone=p) for n, o, p in contacts
        )
        AnnouncementAttachment.objects.bulk_create(
            AnnouncementAttachment(announcement=note, number=n, title=title, text=text)
            for n, title, text in plan.attachments
        )
        return round_

    def _name_administrators(self, round_: Round, rows) -> None:
        """注册管理员 named by each unit (bulk: the service would write one audit row per unit)."""
        RegistrationAdministrator.objects.bulk_create(
            RegistrationAdministrator(
                round=round_, unit=unit, name=person.name, phone=person.phone, email=user.email, user=user,
                named_by=user,
            )
            for unit, person, user in rows
        )

    # --- later runs -------------------------------------------------------------------------------

    def _refresh(self, today: date, phase: Phase | None, seed: int) -> list[Round]:
        """The demo exists: create this year's rounds if missing, move their windows if ``--phase`` asks."""
        changed = []
        cal = workday_calendar()
        for code in DISTRICT_CODES:
            district = Organisation.objects.filter(code=code, kind=Organisation.Kind.DISTRICT).first()
            if district is None:
                continue
            slots = place_today(today, phase or Phase.APPLICATION, district=code, calendar=cal)
            round_ = Round.objects.filter(district=district, year=today.year).first()
            if round_ is None:
                # A new year since the demo was loaded: the same round again, administrators named by ~70%.
                round_ = self._create_round(code, district, today.year, slots, _previous_contacts(district))
                units = Organisation.objects.filter(parent=district, kind__in=Organisation.UNIT_KINDS).order_by("code")
                admins = {u.organisation_id: u for u in User.objects.filter(role=Role.SCHOOL_ADMIN, organisation__parent=district)}
                rows = [
                    (u, _Named(admins[u.pk].display_name, admins[u.pk].phone), admins[u.pk])
                    for i, u in enumerate(units) if u.pk in admins and (i * 7 + seed) % 10 < 7
                ]
                self._name_administrators(round_, rows)
                changed.append(round_)
            elif phase is not None and _current_windows(round_) != [(s.phase, s.start, s.end) for s in slots]:
                round_set_windows(round_=round_, windows=[_spec(s) for s in slots])
                Announcement.objects.filter(round=round_).update(
                    **_announcement_fields(announcement(code, today.year, slots))
                )
                changed.append(round_)
        return changed

    # --- evaluation and report --------------------------------------------------------------------

    def _evaluate(self, rounds: list[Round]) -> dict[str, int]:
        """Run the lead's rules evaluation on the current rounds, when that module exists."""
        try:
            from tqr.campaigns.evaluation import evaluate_round
        except ImportError:
            return {}
        out = {}
        for round_ in rounds:
            evaluate_round(round_)
            out[round_.district.short_name or round_.district.name] = round_.evaluations.filter(in_scope=True).count()
        return out

    def _report(self, today: date, note: str, evaluated: dict[str, int], seconds: float) -> None:
        w = self.stdout.write
        w(note)
        for round_ in Round.objects.filter(year=today.year, district__code__in=DISTRICT_CODES).select_related("district"):
            status = phase_status(
                [Window(Phase(p.phase), p.start_date, p.end_date) for p in round_.phase_windows.all()], today
            )
            application = round_.window(Phase.APPLICATION)
            w(f"{round_.title}：今天（{today}）处于「{status.label}」；网上报名 {application.start_date}—{application.end_date}")
        for name, count in evaluated.items():
            w(f"{name}本年度应注册（规则评估）：{count} 人")
        units = Organisation.objects.filter(parent__code__in=DISTRICT_CODES).count()
        teachers = TeacherProfile.objects.filter(unit__parent__code__in=DISTRICT_CODES).count()
        w(f"单位 {units} 个，教师 {teachers} 人，用时 {seconds:.1f} 秒")
        w("")
        w(_table(_logins()))


def _spec(s: Slot) -> WindowSpec:
    return WindowSpec(phase=s.phase, start=s.start, end=s.end, place=s.place, note=s.note)


def _current_windows(round_: Round) -> list[tuple]:
    rows = sorted(round_.phase_windows.all(), key=lambda w: list(Phase).index(Phase(w.phase)))
    return [(Phase(w.phase), w.start_date, w.end_date) for w in rows]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=LOCAL)


def _announcement_fields(plan) -> dict:
    return {
        "document_number": plan.document_number, "title": plan.title, "addressees": plan.addressees,
        "body": plan.body, "issuing_body": plan.issuing_body, "training_starts_at": _aware(plan.training_starts_at),
        "training_place": plan.training_place, "group_info": plan.group_info,
        "materials_address": plan.materials_address, "published_at": _aware(plan.published_at),
    }


def _previous_contacts(district: Organisation) -> list[tuple[str, str, str]]:
    """The contacts of the district's latest notice, for a new year's notice."""
    return list(
        AnnouncementContact.objects.filter(announcement__round__district=district)
        .order_by("-announcement__round__year", "id")
        .values_list("name", "organisation", "phone")[:2]
    )


class _Named:
    def __init__(self, name: str, phone: str):
        self.name, self.phone = name, phone


def _logins() -> list[tuple[str, str, str, str]]:
    """(role, username, password, what they see) for the accounts worth trying first."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["sysadmin", "qj_review1", "qj_review2", "wl_review1", "cq_review1", "cq_approve1",
                      "t0001", "t0002", "t0003"]
    ).select_related("organisation")}
    rows = []

    def add(username, seen):
        u = users.get(username)
        if u is not None:
            rows.append((Role(u.role).label, username, DEMO_PASSWORD, seen))

    add("sysadmin", "全部：机构、账号、注册年度、节假日、系统设置")
    add("qj_review1", "黔江区：各单位注册管理员报送、初审、公示、统计")
    add("qj_review2", "同上（第二位区县审核人员）")
    add("wl_review1", "武隆区（看不到黔江区的数据）")
    add("cq_review1", "全市：复审（随机抽查）")
    add("cq_approve1", "全市：终审")
    first = users.get("t0001")
    if first is not None and first.organisation is not None:
        school = first.organisation
        rows.append((Role.SCHOOL_ADMIN.label, f"sa_{school.code}", DEMO_PASSWORD,
                     f"{school.display_name}：本校教师、现场确认、统计表"))
    for username, seen in (("t0001", "本人注册申请（本年度应注册）"), ("t0002", "同校另一位应注册教师"),
                           ("t0003", "另一所学校的应注册教师")):
        u = users.get(username)
        if u is not None:
            add(username, f"{seen}，{u.display_name}，{u.organisation.display_name if u.organisation else ''}")
    admins = User.objects.filter(role=Role.SCHOOL_ADMIN, username__startswith="sa_").count()
    teachers = User.objects.filter(role=Role.TEACHER, username__regex=r"^t[0-9]+$").count()
    rows.append((Role.SCHOOL_ADMIN.label, "sa_<单位代码>", DEMO_PASSWORD, f"每个单位一个，共 {admins} 个"))
    rows.append((Role.TEACHER.label, "t0001…", DEMO_PASSWORD, f"每位教师一个，共 {teachers} 个"))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[tuple[str, ...]]) -> str:
    header = ("角色", "账号", "密码", "可以看到")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def line(r):
        cells = [c + " " * (widths[i] - _width(c)) for i, c in enumerate(r[:-1])]
        return "  ".join([*cells, r[-1]])

    rule = "  ".join("-" * w for w in widths) + "  " + "-" * 20
    return "\n".join([line(header), rule, *(line(r) for r in rows), "", "（若密码已在系统中修改，以修改后的为准）"])
