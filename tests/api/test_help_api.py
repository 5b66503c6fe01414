"""GET /api/v1/help/{role}: the help pages' content as JSON, public like the pages and read from the same
selector, so the page and the API cannot disagree."""

from __future__ import annotations

import pytest

from tqr.help import content
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", content.ROLE_SLUGS)
def test_it_serves_every_role_to_anyone(client_for, role):
    response = client_for("anonymous").get(f"/api/v1/help/{role}")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == role
    assert body["title"] == str(content.GUIDES[role].title)
    assert [s["phase"] for s in body["steps"]] == [p.value for p in Phase]
    assert len(body["materials"]) == 7
    assert body["faq"] and body["rules"] and body["photo_examples"]


def test_an_unknown_role_is_a_404(client_for):
    response = client_for("anonymous").get("/api/v1/help/nobody")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_it_carries_the_dates_the_page_shows(world, client_for):
    client = client_for("t_a1")
    body = client.get("/api/v1/help/teacher").json()
    assert body["round_id"] == world.round_a.pk and body["has_dates"]
    application = next(s for s in body["steps"] if s["phase"] == "application")
    window = world.round_a.window(Phase.APPLICATION)
    assert application["start"] == window.start_date.isoformat()
    assert application["state"] == "now"
    page = client.get("/help/teacher/").content.decode()
    for step in body["steps"]:
        assert step["duty"] in page
    for question in body["faq"]:
        assert question["question"] in page
    for example in body["photo_examples"]:
        assert example["url"] in page


def test_reviewers_get_the_rule_codes_and_teachers_do_not(client_for):
    anonymous = client_for("anonymous")
    assert anonymous.get("/api/v1/help/district").json()["rule_codes"]
    assert anonymous.get("/api/v1/help/teacher").json()["rule_codes"] == []
