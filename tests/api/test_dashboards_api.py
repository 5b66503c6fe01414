"""The dashboards through the API give the numbers their pages show (same selectors, same scope)."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from tests.reviews.helpers import confirmed, move_to
from tests.reviews.test_dashboard import calendar_known, submitted  # noqa: F401 - the fixture is used below
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


def plain(value):
    """What the page's context looks like once written as JSON (dates as ISO strings, lazy text as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


@pytest.fixture
def round_in_confirmation(world, calendar_known):  # noqa: F811 - pytest fixture
    confirmed(world, world.teacher_a1)
    submitted(world, world.teacher_a2)
    submitted(world, world.teacher_b)
    move_to(world, Phase.CONFIRMATION)
    return world


def test_the_district_dashboard_endpoint_equals_the_page(round_in_confirmation, client_for):
    w = round_in_confirmation
    client = client_for("reviewer_d1")
    api = client.get(reverse("api:dashboard_district", args=(w.round_a.pk,)))
    page = client.get(reverse("district_dashboard", args=(w.round_a.pk,)))
    assert api.status_code == 200 and page.status_code == 200
    body, shown = api.json(), plain(page.context["d"])
    for key in ("totals", "schools", "deadlines", "at_risk", "conclusions_by_type", "stage_times", "sample",
                "risk_workdays", "confirmation_workdays_left"):
        assert body[key] == shown[key], key
    assert body["totals"]["applied"] == 3 and body["round"]["district_name"] == w.district_a.name


def test_the_city_dashboard_endpoint_equals_the_page(round_in_confirmation, client_for):
    client = client_for("city_approver")
    body = client.get(reverse("api:dashboard_city")).json()
    shown = plain(client.get(reverse("city_dashboard")).context["d"])
    assert body == {**shown, "day": shown["day"]}
    assert [d["name"] for d in body["districts"]] == ["重庆市黔江区", "重庆市武隆区"]
    assert body["districts"][0]["url"] == reverse("district_dashboard", args=(round_in_confirmation.round_a.pk,))


def test_the_school_dashboard_endpoint_equals_the_page(round_in_confirmation, client_for):
    w = round_in_confirmation
    client = client_for("admin_b")
    body = client.get(reverse("api:dashboard_school", args=(w.round_a.pk,))).json()
    shown = plain(client.get(reverse("school_dashboard", args=(w.round_a.pk,))).context["d"])
    assert body == shown
    assert body["unit"]["id"] == w.school_b.pk
    assert body["by_state"] == [{"state": "submitted", "label": "待现场确认", "count": 1}]


def test_the_endpoints_answer_a_token(round_in_confirmation, client):
    from tqr.api import auth as api_auth

    _token, raw = api_auth.token_create(user=round_in_confirmation.reviewer_d1, name="看板")
    response = client.get(reverse("api:dashboard_district", args=(round_in_confirmation.round_a.pk,)),
                          headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
