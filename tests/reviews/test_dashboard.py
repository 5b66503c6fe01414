"""The dashboards: the numbers (tqr.reviews.dashboard), their pages and who may see them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.city.helpers import reported
from tests.factories import org, teacher, user
from tests.reviews.helpers import confirmed, move_to
from tqr.accounts.models import Role
from tqr.applications.services import application_save, application_start, application_transition
from tqr.campaigns.models import CalendarYear, Round
from tqr.city import services as city
from tqr.reviews import dashboard
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


def submitted(world, t):
    """A complete application of teacher profile `t`, submitted and not yet confirmed by its school."""
    from django.core.files.base import ContentFile

    from tests.applications.helpers import jpeg
    from tqr.documents.photos import process_photo

    app = application_start(round_=world.round_a, teacher=t, actor=t.user)
    app = application_save(application=app, data={"hire_date": date(2006, 9, 1), "phone": "13812345678"},
                           actor=t.user, step=6, accept_terms=True)
    app.photo.save("p.jpg", ContentFile(process_photo(jpeg()).jpeg), save=True)
    return application_transition(application=app, action="submit", actor=t.user)


@pytest.fixture
def calendar_known():
    """Working days can be counted whatever year the suite runs in (the library ships up to 2026)."""
    year = timezone.localdate().year
    for y in (year - 1, year, year + 1):
        CalendarYear.objects.get_or_create(year=y)


@pytest.fixture
def mixed(world, calendar_known):
    """School A: t_a1 confirmed, t_a2 waiting for confirmation. School B: t_b waiting, nothing confirmed."""
    confirmed(world, world.teacher_a1)
    submitted(world, world.teacher_a2)
    submitted(world, world.teacher_b)
    move_to(world, Phase.CONFIRMATION)
    return world


def _round(world):
    return dashboard.rounds_with_windows(world.reviewer_d1).get(pk=world.round_a.pk)


def test_progress_by_school_counts_each_stage(mixed):
    d = dashboard.district_dashboard(_round(mixed), day=timezone.localdate())
    rows = {s["unit_id"]: s for s in d["schools"]}
    a, b = rows[mixed.school_a.pk], rows[mixed.school_b.pk]
    assert (a["applied"], a["pending"], a["confirmed"], a["reviewed"], a["concluded"]) == (2, 1, 1, 0, 0)
    assert (b["applied"], b["pending"], b["confirmed"]) == (1, 1, 0)
    assert d["totals"]["applied"] == 3 and d["totals"]["confirmed"] == 1
    assert [s["unit_id"] for s in d["schools"]] == [mixed.school_a.pk, mixed.school_b.pk]  # most applications first


def test_deadlines_give_the_working_days_left(mixed):
    day = timezone.localdate()
    d = dashboard.district_dashboard(_round(mixed), day=day)
    by_phase = {w["phase"]: w for w in d["deadlines"]}
    confirmation = by_phase["confirmation"]
    assert confirmation["status"] == "open"
    from tqr.campaigns.workdays import calendar

    assert confirmation["workdays_left"] == calendar().workdays_between(day, confirmation["end_date"])
    assert d["confirmation_workdays_left"] == confirmation["workdays_left"]
    assert by_phase["application"]["status"] == "done" and by_phase["application"]["workdays_left"] is None
    assert by_phase["archiving"]["end_date"] is None and by_phase["archiving"]["workdays_left"] is None


def test_schools_at_risk_of_missing_the_confirmation_window(mixed):
    r, day = _round(mixed), timezone.localdate()
    # The window closes within the threshold: every school with applications left to confirm.
    soon = dashboard.district_dashboard(r, day=day, threshold=10)
    assert {s["unit_id"] for s in soon["at_risk"]} == {mixed.school_a.pk, mixed.school_b.pk}
    assert [s["unit_id"] for s in soon["at_risk"]] == [mixed.school_b.pk, mixed.school_a.pk]  # nothing confirmed first
    assert soon["at_risk"][0]["pending"] == 1 and "仍有申请未确认" in soon["at_risk"][0]["risk"]
    # Further off: only the school that has confirmed nothing although the window is open.
    later = dashboard.district_dashboard(r, day=day, threshold=-1)
    assert [s["unit_id"] for s in later["at_risk"]] == [mixed.school_b.pk]
    assert "尚未确认任何申请" in later["at_risk"][0]["risk"]


def test_the_threshold_is_a_setting(mixed, settings):
    settings.TQR_DASHBOARD_RISK_WORKDAYS = 10
    d = dashboard.district_dashboard(_round(mixed), day=timezone.localdate())
    assert d["risk_workdays"] == 10 and len(d["at_risk"]) == 2


def test_before_the_window_opens_nobody_is_at_risk_yet(world, calendar_known):
    submitted(world, world.teacher_b)  # the application window is open, confirmation a week off
    d = dashboard.district_dashboard(_round(world), day=timezone.localdate(), threshold=2)
    assert d["at_risk"] == []


def test_conclusions_by_type_stage_times_and_the_sample(world, calendar_known):
    apps = reported(world, deferred=[world.teacher_a2])
    sample = city.sample_draw(round_=world.round_a, actor=world.city_reviewer)
    items = list(sample.items.order_by("pk"))
    city.item_check(item=items[0], result="discrepancy", note="培训证明与原件不符", actor=world.city_reviewer)
    city.item_check(item=items[1], result="conforms", note="", actor=world.city_reviewer)
    d = dashboard.district_dashboard(_round(world), day=timezone.localdate())

    by_type = {t["cert_type"]: t for t in d["conclusions_by_type"]}
    assert (by_type["primary"]["qualified"], by_type["primary"]["deferred"], by_type["primary"]["total"]) == (1, 1, 2)
    assert (by_type["junior"]["qualified"], by_type["junior"]["total"]) == (1, 1)
    assert by_type["primary"]["label"] == "小学教师资格"

    stages = {s["stage"]: s for s in d["stage_times"]}
    assert stages["confirmation"]["count"] == len(apps) and stages["review"]["count"] == len(apps)
    assert stages["confirmation"]["median_days"] >= 0
    assert stages["city"]["count"] == 0  # nothing finalised yet
    assert {x["unit_id"] for x in stages["confirmation"]["slowest"]} == {world.school_a.pk, world.school_b.pk}

    assert d["sample"] == {"sampled": len(items), "checked": 2, "discrepancies": 1,
                           "rate": round(1 / len(items), 4), "rate_percent": round(100 / len(items), 1)}


def test_the_queries_do_not_grow_with_schools_or_applications(mixed):
    r, day = _round(mixed), timezone.localdate()

    def count() -> int:
        r2 = dashboard.rounds_with_windows(mixed.reviewer_d1).get(pk=r.pk)
        with CaptureQueriesContext(connection) as ctx:
            dashboard.district_dashboard(r2, day=day)
        return len(ctx.captured_queries)

    before = count()
    move_to(mixed, Phase.APPLICATION)
    extra = org("500114009", "重庆市黔江区新华小学校", "primary", mixed.district_a)
    admin = user("sa_x", Role.SCHOOL_ADMIN, extra)
    for i in range(3):
        t = teacher(extra, f"新{i}", account=f"tx{i}", registered_year=r.year - 5)
        submitted(mixed, t)
    assert admin and count() == before
    assert before <= 12


def test_the_city_sees_every_district_with_a_link_to_its_dashboard(mixed, client_for):
    rounds = dashboard.city_rounds(dashboard.rounds_with_windows(mixed.city_reviewer))
    with CaptureQueriesContext(connection) as ctx:
        d = dashboard.city_dashboard(rounds, day=timezone.localdate(), threshold=10)
    assert len(ctx.captured_queries) <= 8
    rows = {x["district_id"]: x for x in d["districts"]}
    assert rows[mixed.district_a.pk]["applied"] == 3 and rows[mixed.district_a.pk]["at_risk"] == 2
    assert rows[mixed.district_b.pk]["applied"] == 0
    assert d["totals"]["applied"] == 3
    page = client_for("city_reviewer").get(reverse("city_dashboard"))
    assert page.status_code == 200
    link = reverse("district_dashboard", args=(mixed.round_a.pk,))
    assert f'href="{link}"' in page.content.decode()
    assert client_for("city_approver").get(link).status_code == 200


def test_the_city_sees_the_latest_year_only(world):
    Round.objects.create(district=world.district_a, year=world.round_a.year - 1, title="去年")
    rounds = dashboard.city_rounds(dashboard.rounds_with_windows(world.city_reviewer))
    assert {r.pk for r in rounds} == {world.round_a.pk, world.round_b.pk}


def test_the_district_page_draws_its_charts_beside_tables(mixed, client_for):
    response = client_for("reviewer_d1").get(reverse("district_dashboard", args=(mixed.round_a.pk,)))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart') == 4
    assert html.count('role="img"') >= 4
    assert "可能错过现场确认的学校" in html and mixed.school_b.short_name in html
    assert "<script" not in html.split("<main", 1)[1]  # no script for the charts


def test_school_names_are_escaped_in_charts_and_tables(mixed, client_for):
    mixed.school_b.short_name = "<b>乙校</b>"
    mixed.school_b.save()
    html = client_for("reviewer_d1").get(reverse("district_dashboard", args=(mixed.round_a.pk,))).content.decode()
    assert "<b>乙校</b>" not in html and "&lt;b&gt;乙校&lt;/b&gt;" in html


def test_the_school_sees_its_teachers_by_state_and_what_is_due_next(mixed, client_for):
    r = dashboard.rounds_with_windows(mixed.admin_a).get(pk=mixed.round_a.pk)
    d = dashboard.school_dashboard(r, mixed.school_a, day=timezone.localdate())
    states = {s["state"]: s["count"] for s in d["by_state"]}
    assert states == {"confirmed": 1, "submitted": 1}
    todo = {i["key"]: i for i in d["todo"]}
    assert todo["confirm"]["count"] == 1 and not todo["confirm"]["done"]
    assert todo["apply"]["workdays_left"] is None  # the application window is over
    assert d["next"]["key"] in ("administrator", "confirm", "handover")
    assert d["next"]["workdays_left"] is not None
    response = client_for("admin_a").get(reverse("school_dashboard", args=(mixed.round_a.pk,)))
    assert response.status_code == 200
    assert "本校教师按状态" in response.content.decode()


def test_the_home_page_links_each_role_to_its_dashboard(world, client_for):
    for persona, name, args in (("admin_a", "school_dashboard", (world.round_a.pk,)),
                                ("reviewer_d1", "district_dashboard", (world.round_a.pk,)),
                                ("city_reviewer", "city_dashboard", ())):
        html = client_for(persona).get(reverse("home")).content.decode()
        assert reverse(name, args=args) in html, persona


def test_a_short_name_two_schools_share_gives_way_to_the_full_names():
    names = dashboard.unit_names([(1, "重庆市黔江区民族中学校", "民族中学"), (2, "重庆市黔江区濯水民族中学", "民族中学"),
                                  (3, "重庆市黔江区新华小学校", "新华小学"), (4, "重庆市黔江区某学校", "")])
    assert names == {1: "重庆市黔江区民族中学校", 2: "重庆市黔江区濯水民族中学", 3: "新华小学", 4: "重庆市黔江区某学校"}


def test_the_city_sees_the_time_in_each_stage_with_the_slowest_districts(world, calendar_known, client_for):
    apps = reported(world)
    rounds = dashboard.city_rounds(dashboard.rounds_with_windows(world.city_reviewer))
    d = dashboard.city_dashboard(rounds, day=timezone.localdate())
    stages = {s["stage"]: s for s in d["stage_times"]}
    assert stages["confirmation"]["count"] == len(apps) and stages["confirmation"]["median_days"] >= 0
    assert [x["unit_id"] for x in stages["confirmation"]["slowest"]] == [world.round_a.pk]
    assert stages["confirmation"]["slowest"][0]["name"] == world.round_a.district.display_name
    html = client_for("city_reviewer").get(reverse("city_dashboard")).content.decode()
    assert "用时最长的区县（天）" in html and "各环节用时" in html
    api = client_for("city_reviewer").get("/api/v1/dashboards/city").json()
    assert api["stage_times"][0]["count"] == stages["confirmation"]["count"]


def test_the_school_home_page_opens_with_what_is_due_next(world, client_for):
    next_ = dashboard.school_dashboard(world.round_a, world.school_a, day=timezone.localdate())["next"]
    html = client_for("admin_a").get(reverse("home")).content.decode()
    assert next_ is not None and "下一项工作" in html and str(next_["label"]) in html
    assert f'href="{next_["url"]}"' in html
