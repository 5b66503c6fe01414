"""The district's initial review: the queue, one-by-one and bulk conclusions, changes until published."""

import io

import pytest
from python_calamine import CalamineWorkbook

from tests.reviews.helpers import confirmed, many_confirmed, move_to
from tqr.applications.models import Application, ApplicationEvent
from tqr.applications.services import ApplicationError, application_transition
from tqr.audit.models import AuditEvent
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def apps(world):
    a1 = confirmed(world, world.teacher_a1)
    a2 = confirmed(world, world.teacher_a2, hours=300)  # the rules propose 暂缓注册 (D1)
    move_to(world, Phase.INITIAL_REVIEW)
    return a1, a2


def test_the_queue_lists_the_districts_confirmed_applications_with_the_proposals(world, client_for, apps):
    body = client_for("reviewer_d1").get(f"/reviews/{world.round_a.pk}/").content.decode()
    assert "张三" in body and "李四" in body and "D1" in body
    assert "待初审 <strong>2</strong>" in body
    assert client_for("reviewer_d2").get(f"/reviews/{world.round_a.pk}/").status_code == 404
    assert client_for("admin_a").get(f"/reviews/{world.round_a.pk}/").status_code == 403
    assert client_for("city_reviewer").get(f"/reviews/{world.round_a.pk}/").status_code == 200  # reads along


@pytest.mark.parametrize(("query", "names"), [
    ("proposal=deferred", {"李四"}), ("proposal=qualified", {"张三"}), ("reviewed=no", {"张三", "李四"}),
    ("q=张", {"张三"}), ("cert_type=primary", {"张三", "李四"}), ("kind=first", set()),
])
def test_the_queue_filters(world, client_for, apps, query, names):
    body = client_for("reviewer_d1").get(f"/reviews/{world.round_a.pk}/?{query}").content.decode()
    assert {n for n in ("张三", "李四") if n in body} == names


def test_a_deferral_needs_a_reason_which_defaults_to_the_rules(world, client_for, apps):
    _, a2 = apps
    client = client_for("reviewer_d1")
    page = client.get(f"/reviews/applications/{a2.pk}/").content.decode()
    assert "培训学时 300，需满 360 学时" in page  # the default reason, ready to keep or edit
    client.post(f"/reviews/applications/{a2.pk}/", {"conclusion": "deferred", "reason": "  "})
    a2.refresh_from_db()
    assert a2.state == "confirmed" and not a2.conclusion
    client.post(f"/reviews/applications/{a2.pk}/", {"conclusion": "deferred", "reason": "培训学时不足", "codes": ["D1"]})
    a2.refresh_from_db()
    assert (a2.state, a2.conclusion, a2.conclusion_codes) == ("reviewed", "deferred", ["D1"])
    assert AuditEvent.objects.filter(action="application.review", user=world.reviewer_d1, result="success").count() == 1
    assert AuditEvent.objects.filter(action="application.review", result="denied").count() == 1  # the try without reason


def test_bulk_accept_records_qualified_only_where_the_rules_propose_it(world, client_for, apps):
    a1, a2 = apps
    body = client_for("reviewer_d1").post(f"/reviews/{world.round_a.pk}/accept/",
                                          {"application": [a1.pk, a2.pk]}).content.decode()
    assert "成功 1 份" in body and "规则建议为“暂缓注册”" in body
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.conclusion, a2.conclusion) == ("qualified", "")
    assert AuditEvent.objects.get(action="application.bulk_review").data["failed"] == 1


def test_a_conclusion_can_change_until_published_and_every_change_is_in_the_history(world, client_for, apps):
    a1, _ = apps
    client = client_for("reviewer_d1")
    client.post(f"/reviews/applications/{a1.pk}/", {"conclusion": "qualified"})
    client.post(f"/reviews/applications/{a1.pk}/", {"conclusion": "deferred", "reason": "经核实2024年度考核不合格"})
    a1.refresh_from_db()
    assert a1.conclusion == "deferred"
    changes = [e.changes["conclusion"] for e in ApplicationEvent.objects.filter(application=a1,
                                                                                action__in=["review", "revise"])]
    assert changes == [["", "qualified"], ["qualified", "deferred"]]
    application_transition(application=a1, action="publish", actor=world.reviewer_d1)
    with pytest.raises(ApplicationError):
        application_transition(application=a1, action="revise", actor=world.reviewer_d1, conclusion="qualified")


def test_reviewing_before_the_initial_review_starts_says_when(world):
    a1 = confirmed(world, world.teacher_a1)  # the round is still in its application window
    with pytest.raises(ApplicationError, match="初审将于"):
        application_transition(application=a1, action="review", actor=world.reviewer_d1, conclusion="qualified")


def test_another_districts_reviewer_cannot_review(world, client_for, apps):
    a1, _ = apps
    assert client_for("reviewer_d2").post(f"/reviews/applications/{a1.pk}/", {"conclusion": "qualified"}).status_code == 404
    assert client_for("city_reviewer").post(f"/reviews/applications/{a1.pk}/", {"conclusion": "qualified"}).status_code == 403
    a1.refresh_from_db()
    assert a1.state == "confirmed"


def test_the_queue_exports_what_the_filters_select(world, client_for, apps):
    response = client_for("reviewer_d1").get(f"/reviews/{world.round_a.pk}/?proposal=deferred&format=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[3:]] == ["李四"]


def test_a_queue_page_costs_the_same_queries_for_10_or_60_applications(world, client_for):
    many_confirmed(world, 10)
    move_to(world, Phase.INITIAL_REVIEW)
    client = client_for("reviewer_d1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/reviews/{world.round_a.pk}/")
    move_to(world, Phase.APPLICATION)
    many_confirmed(world, 50, prefix="老师")
    move_to(world, Phase.INITIAL_REVIEW)
    with CaptureQueriesContext(connection) as large:
        client.get(f"/reviews/{world.round_a.pk}/")
    assert len(large) == len(small)
    assert Application.objects.filter(state="confirmed").count() == 60
