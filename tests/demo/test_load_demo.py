"""python manage.py load_demo: a small demo (300 teachers, 20 units) loaded through the real command."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.utils import timezone

from tqr.accounts.models import Organisation, Role, User
from tqr.campaigns.models import RegistrationAdministrator, Round
from tqr.demo.generate import DEMO_PASSWORD, QIANJIANG, WULONG, is_due_periodic, place_today, plan_demo
from tqr.rules.identifiers import validate_certificate_number, validate_resident_id
from tqr.rules.phases import Phase, Window, phase_status
from tqr.rules.workdays import WorkdayCalendar
from tqr.teachers.models import Certificate, TeacherProfile

SMALL = ("--teachers", "300", "--units", "20")
TINY = ("--teachers", "40", "--units", "20")
SEED_NOTICE = Path("/work/shared/seed/000_56835a22f836a13e.txt")


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("accounts", "teachers", "campaigns", "audit")
    }


def current_round(code: str = QIANJIANG) -> Round:
    return Round.objects.get(district__code=code, year=timezone.localdate().year)


@pytest.fixture
def demo(db):
    return load(*SMALL)


# --- Idempotence and determinism -------------------------------------------------------------------


def test_a_second_run_changes_nothing(demo):
    before = row_counts()
    out = load(*SMALL)
    assert row_counts() == before
    assert "演示数据已存在" in out


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    today = date(2026, 11, 29)
    first = plan_demo(seed=2023, today=today, teachers=300, units=20)
    again = plan_demo(seed=2023, today=today, teachers=300, units=20)
    other = plan_demo(seed=7, today=today, teachers=300, units=20)
    assert first.digest() == again.digest()
    assert first.digest() != other.digest()


def test_the_database_holds_what_the_plan_says(demo):
    plan = plan_demo(seed=2023, today=timezone.localdate(), teachers=300, units=20)
    stored = sorted(TeacherProfile.objects.values_list("user__username", "name", "id_masked"))
    planned = sorted((t.username, t.name, t.id_number[:6] + "*" * 8 + t.id_number[-4:]) for t in plan.teachers)
    assert stored == planned


def test_the_default_plan_has_realistic_distributions():
    plan = plan_demo(seed=2023, today=date(2026, 11, 29))
    qianjiang = plan.districts[0]
    units = {u.code: u for d in plan.districts for u in d.units}
    teachers = qianjiang.teachers
    assert (len(qianjiang.units), len(teachers)) == (150, 5000)
    due = sum(is_due_periodic(t, units[t.unit], 2026) for t in teachers) / len(teachers)
    assert 0.12 < due < 0.25
    last = Counter(t.registrations[-1].conclusion if t.registrations else None for t in teachers)
    assert last["deferred"] > 20 and 0 < last["unqualified"] < 60 and last[None] > 100
    numbers = [c.number for t in teachers for c in t.certificates]
    assert len(set(numbers)) == len(numbers)
    assert 0 < sum(len(n) == 15 for n in numbers) < len(numbers) * 0.05  # a few legacy numbers
    assert min(int(n[:4]) for n in numbers) >= 2002
    assert sum(len(t.certificates) == 2 for t in teachers) > 100
    assert {"土家族", "苗族", "汉族"} <= {t.ethnicity for t in teachers}
    assert any("·" in t.name for t in teachers) and any("𠮷" in t.name for t in teachers)
    assert all(1965 <= t.birth_date.year <= 2001 for t in plan.teachers)
    assert Counter(t.special_post for t in teachers)["unconverted"] > 10
    assert sum(t.seconded_from is not None for t in teachers) > 10
    assert {"D2", "U2", "D3", "U1"} <= {t.demo_role for t in teachers}


# --- Identifiers and accounts ----------------------------------------------------------------------


def test_every_id_and_certificate_number_is_valid(demo):
    teachers = list(TeacherProfile.objects.all())
    assert len(teachers) >= 300
    assert all(validate_resident_id(t.id_number) == [] for t in teachers)
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert all(validate_certificate_number(n) == [] for n in numbers)


def test_gender_follows_the_ids_17th_digit(demo):
    for t in TeacherProfile.objects.all():
        assert t.gender == ("male" if int(t.id_number[16]) % 2 else "female")


def test_every_unit_has_exactly_one_school_admin(demo):
    units = Organisation.objects.filter(kind__in=Organisation.UNIT_KINDS)
    for unit in units:
        assert User.objects.filter(role=Role.SCHOOL_ADMIN, organisation=unit).count() == 1, unit.name


def test_no_enabled_account_has_a_guessable_name(demo):
    assert not User.objects.filter(username__in=["admin", "root", "test", "sa"], is_active=True).exists()
    assert User.objects.get(username="sysadmin").is_superuser


def test_the_demo_password_passes_the_validators_and_logs_in(demo, client):
    validate_password(DEMO_PASSWORD)
    assert client.login(username="t0001", password=DEMO_PASSWORD)


def test_it_prints_the_logins(demo):
    for username in ("sysadmin", "qj_review1", "wl_review1", "cq_review1", "cq_approve1", "t0001", DEMO_PASSWORD):
        assert username in demo


def test_t0001_and_t0002_share_a_school_and_t0003_is_elsewhere(demo):
    t1, t2, t3 = (User.objects.get(username=u) for u in ("t0001", "t0002", "t0003"))
    assert t1.organisation == t2.organisation != t3.organisation
    assert all(u.teacher.unit == u.organisation for u in (t1, t2, t3))


def test_the_login_teachers_are_due_with_everything_in_order(demo):
    pytest.importorskip("tqr.campaigns.evaluation")
    round_ = current_round()
    for username in ("t0001", "t0002", "t0003"):
        evaluation = round_.evaluations.get(teacher__user__username=username)
        assert (evaluation.in_scope, evaluation.kind, evaluation.proposal) == (True, "periodic", "qualified")


# --- Organisations ---------------------------------------------------------------------------------


def test_the_special_units_exist_with_private_and_industry_ones(demo):
    kinds = set(Organisation.objects.filter(parent__code=QIANJIANG).values_list("kind", flat=True))
    assert {"vocational", "special", "tv_university", "teacher_development_center", "inspectorate"} <= kinds
    ownerships = set(Organisation.objects.filter(parent__code=QIANJIANG).values_list("ownership", flat=True))
    assert ownerships == {"public", "private", "industry"}
    assert Organisation.objects.filter(parent__code=QIANJIANG).count() == 20
    assert Organisation.objects.get(code="500000").kind == "city"
    assert Organisation.objects.get(code=WULONG).parent.code == "500000"


# --- Rounds ----------------------------------------------------------------------------------------


def test_the_2023_round_has_the_seeds_dates(demo):
    round_ = Round.objects.get(district__code=QIANJIANG, year=2023)
    windows = {w.phase: (w.start_date, w.end_date) for w in round_.phase_windows.all()}
    d = date
    assert windows == {
        "training": (d(2023, 11, 6), d(2023, 11, 6)),
        "application": (d(2023, 11, 6), d(2023, 11, 16)),
        "confirmation": (d(2023, 11, 17), d(2023, 11, 20)),
        "initial_review": (d(2023, 11, 21), d(2023, 11, 24)),
        "notice": (d(2023, 11, 27), d(2023, 12, 1)),
        "secondary_review": (d(2023, 12, 4), d(2023, 12, 6)),
        "final_review": (d(2023, 12, 7), d(2023, 12, 8)),
        "recording": (d(2023, 12, 11), None),  # not in the seed: chosen for the demo
        "archiving": (d(2023, 12, 18), None),
    }
    note = round_.announcement
    assert note.document_number == "黔江教办〔2023〕155号"
    assert timezone.localtime(note.training_starts_at).strftime("%Y-%m-%d %H:%M") == "2023-11-06 09:00"
    assert list(note.contacts.values_list("name", "phone")) == [
        ("兰建伟", "13896453785"), ("兰菊秋", "13452208820")
    ]
    assert list(note.attachments.values_list("number", flat=True)) == [1, 2, 3]


@pytest.mark.skipif(not SEED_NOTICE.exists(), reason="the seed notice is not in this checkout")
def test_the_2023_notice_is_the_seeds_text(demo):
    body = Round.objects.get(district__code=QIANJIANG, year=2023).announcement.body
    assert body in SEED_NOTICE.read_text(encoding="utf-8")


def test_by_default_the_application_window_is_open_today(demo):
    today = timezone.localdate()
    for code in (QIANJIANG, WULONG):
        round_ = current_round(code)
        assert round_.status(today).current == Phase.APPLICATION
        assert f"{today.year}年" in round_.announcement.body


@pytest.mark.django_db
@pytest.mark.parametrize("phase", list(Phase))
def test_phase_puts_today_in_that_phase_on_a_fresh_database(phase):
    load(*TINY, "--phase", phase.value)
    today = timezone.localdate()
    assert current_round(QIANJIANG).status(today).current == phase
    assert current_round(WULONG).status(today).current == phase


def test_any_day_can_be_put_in_any_phase_even_around_the_spring_festival():
    # A notice stretched over a holiday moves the later windows in jumps; none may be skipped.
    calendar = WorkdayCalendar()
    for offset in range(0, 40, 3):
        today = date(2025, 1, 20) + timedelta(days=offset)
        for phase in Phase:
            slots = place_today(today, phase, calendar=calendar)
            status = phase_status([Window(s.phase, s.start, s.end) for s in slots], today)
            assert status.current == phase, (today, phase)
            notice = next(s for s in slots if s.phase == Phase.NOTICE)
            assert calendar.workdays_between(notice.start, notice.end) >= 5


def test_phase_moves_the_windows_of_existing_data(demo):
    load(*SMALL, "--phase", "notice")
    assert current_round().status(timezone.localdate()).current == Phase.NOTICE
    assert TeacherProfile.objects.count() == 300 + 20  # nothing generated again (武隆: 3% of 黔江, at least 20)


def test_some_units_have_not_named_their_administrator_this_year(demo):
    units = Organisation.objects.filter(parent__code=QIANJIANG).count()
    named_now = RegistrationAdministrator.objects.filter(round=current_round()).count()
    named_2023 = RegistrationAdministrator.objects.filter(round__year=2023, round__district__code=QIANJIANG).count()
    assert 0 < named_now < units
    assert named_2023 == units
