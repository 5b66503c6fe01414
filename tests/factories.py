"""Named personas and a tiny world for tests (healthchecks-style: Alice owns, Bob is next door …).

city 重庆市 → district A 黔江区 (schools A and B) and district B 武隆区 (school C).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from types import SimpleNamespace

from django.utils import timezone

from tqr.accounts.models import Organisation, Role, User
from tqr.campaigns.models import Round
from tqr.campaigns.services import WindowSpec, round_create
from tqr.rules.identifiers import make_certificate_number, make_resident_id
from tqr.rules.phases import Phase
from tqr.teachers.models import (
    AnnualAssessment,
    Certificate,
    RegistrationRecord,
    TeacherProfile,
    TrainingRecord,
)

PASSWORD = "Tqr-Test-Pass-2026"
_seq = itertools.count(1)


def org(code, name, kind, parent=None, ownership="public") -> Organisation:
    return Organisation.objects.create(code=code, name=name, short_name=name[-6:], kind=kind, parent=parent,
                                       ownership=ownership)


def user(username, role, organisation, **extra) -> User:
    u = User(username=username, role=role, organisation=organisation, display_name=extra.pop("display_name", username),
             email=extra.pop("email", f"{username}@example.cn"),
             email_verified_at=extra.pop("email_verified_at", timezone.now()), **extra)
    u.set_password(PASSWORD)
    u.save()
    return u


def windows_around(day: date, current: Phase = Phase.APPLICATION) -> list[WindowSpec]:
    """A schedule with the seed's lengths and gaps, shifted so that `day` falls in `current`."""
    offsets = {  # (start, end) in days from the application window's opening; seed 2023 shape
        Phase.TRAINING: (0, 0), Phase.APPLICATION: (0, 10), Phase.CONFIRMATION: (11, 14),
        Phase.INITIAL_REVIEW: (15, 18), Phase.NOTICE: (21, 25), Phase.SECONDARY_REVIEW: (28, 30),
        Phase.FINAL_REVIEW: (31, 32), Phase.RECORDING: (35, None), Phase.ARCHIVING: (42, None),
    }
    start, end = offsets[current]
    # Put `day` one day into the window (on its only day for a one-day window).
    opens = day - timedelta(days=start + (0 if end == start else 1))
    return [
        WindowSpec(p, opens + timedelta(days=s), opens + timedelta(days=e) if e is not None else None)
        for p, (s, e) in offsets.items()
    ]


def teacher(unit: Organisation, name: str, *, account: str | None = None, birth=date(1985, 3, 14), male=True,
            post_level="primary", cert_type_digit=2, registered_year: int | None = None, hours_per_year=80,
            year: int | None = None, **extra) -> TeacherProfile:
    year = year or timezone.localdate().year
    seq = next(_seq)
    # Three sequence digits per birth date: move the birth date on every 450 teachers.
    birth = birth + timedelta(days=seq // 450)
    id_number = make_resident_id("500114", birth, (seq % 450) * 2 + (1 if male else 0))
    t = TeacherProfile(name=name, gender="male" if male else "female", birth_date=birth, unit=unit,
                       post_level=post_level, subject="语文", **extra)
    t.set_id_number(id_number)
    if account:
        t.user = user(account, Role.TEACHER, unit, display_name=name)
    t.save()
    Certificate.objects.create(
        teacher=t, number=make_certificate_number(2008, "50", "114", cert_type_digit, 1 if male else 0, seq),
        cert_type={1: "kindergarten", 2: "primary", 3: "junior", 4: "senior"}[cert_type_digit], subject="语文",
        certifying_body="重庆市黔江区教育委员会", issue_date=date(2008, 6, 30),
    )
    if registered_year:
        RegistrationRecord.objects.create(teacher=t, year=registered_year, kind="first", conclusion="qualified",
                                          valid_from=date(registered_year, 12, 31),
                                          valid_until=date(registered_year + 5, 12, 30))
    for y in range(year - 5, year):
        AnnualAssessment.objects.create(teacher=t, year=y, grade="qualified")
        TrainingRecord.objects.create(teacher=t, year=y, hours=hours_per_year)
    return t


def make_world() -> SimpleNamespace:
    today = timezone.localdate()
    w = SimpleNamespace()
    w.city = org("500000", "重庆市", "city")
    w.district_a = org("500114", "重庆市黔江区", "district", w.city)
    w.district_b = org("500156", "重庆市武隆区", "district", w.city)
    w.school_a = org("500114001", "重庆市黔江区城东街道中心小学校", "primary", w.district_a)
    w.school_b = org("500114002", "重庆市黔江区民族中学校", "junior", w.district_a)
    w.school_c = org("500156001", "重庆市武隆区实验小学校", "primary", w.district_b)

    w.teacher_a1 = teacher(w.school_a, "张三", account="t001", registered_year=today.year - 5)
    w.teacher_a2 = teacher(w.school_a, "李四", account="t002", male=False, registered_year=today.year - 5)
    w.teacher_b = teacher(w.school_b, "王五", account="t003", post_level="junior", cert_type_digit=3,
                          registered_year=today.year - 5)
    w.teacher_c = teacher(w.school_c, "赵六", account="t004", registered_year=today.year - 5)
    w.t_a1, w.t_a2, w.t_b, w.t_c = (w.teacher_a1.user, w.teacher_a2.user, w.teacher_b.user, w.teacher_c.user)

    w.admin_a = user("sa_a", Role.SCHOOL_ADMIN, w.school_a)
    w.admin_b = user("sa_b", Role.SCHOOL_ADMIN, w.school_b)
    w.reviewer_d1 = user("rev_d1", Role.DISTRICT_REVIEWER, w.district_a)
    w.reviewer_d2 = user("rev_d2", Role.DISTRICT_REVIEWER, w.district_b)
    w.city_reviewer = user("city_rev", Role.CITY_REVIEWER, w.city)
    w.city_approver = user("city_app", Role.CITY_APPROVER, w.city)
    w.auditor = user("auditor1", Role.AUDITOR, None)
    w.sysadmin = user("sysadmin1", Role.SYSADMIN, None, is_staff=True, is_superuser=True)

    w.round_a = round_create(district=w.district_a, year=today.year, title=f"{today.year}年黔江区教师资格定期注册",
                             windows=windows_around(today))
    w.round_b = round_create(district=w.district_b, year=today.year, title=f"{today.year}年武隆区教师资格定期注册",
                             windows=windows_around(today))
    w.round_a = Round.objects.get(pk=w.round_a.pk)
    w.round_b = Round.objects.get(pk=w.round_b.pk)
    return w


PERSONAS = ("anonymous", "t_a1", "t_a2", "t_b", "admin_a", "admin_b", "reviewer_d1", "reviewer_d2",
            "city_reviewer", "city_approver", "auditor", "sysadmin")
