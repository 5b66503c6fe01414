"""The district's part through the API: queue, conclusions, bulk, statistics, notice, objections, report."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.reviews.helpers import confirmed, move_to
from tqr.reviews.models import Objection
from tqr.reviews.services import objection_file
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def apps(world):
    cache.clear()
    a = [confirmed(world, world.teacher_a1), confirmed(world, world.teacher_a2, hours=300)]
    move_to(world, Phase.INITIAL_REVIEW)
    return a


def test_a_round_driven_through_the_api(world, client_for, apps):
    api = client_for("reviewer_d1")
    base = f"/api/v1/reviews/rounds/{world.round_a.pk}"
    queue = api.get(f"{base}/queue?proposal=deferred").json()
    assert queue["count"] == 1 and queue["items"][0]["reason_codes"] == ["D1"]
    bulk = post(api, f"{base}/accept", {"applications": [a.pk for a in apps]}).json()
    assert {i["application_id"]: i["ok"] for i in bulk} == {apps[0].pk: True, apps[1].pk: False}
    refused = post(api, f"/api/v1/reviews/applications/{apps[1].pk}/conclusion", {"conclusion": "deferred"})
    assert refused.status_code == 409 and "必须填写理由" in refused.json()["detail"]
    ok = post(api, f"/api/v1/reviews/applications/{apps[1].pk}/conclusion",
              {"conclusion": "deferred", "reason": "培训学时不足", "codes": ["D1"]})
    assert ok.status_code == 200 and ok.json()["state"] == "reviewed"
    stats = api.get(f"{base}/statistics").json()
    assert stats["total"]["by_conclusion"]["qualified"] == 1 and stats["total"]["reasons"] == {"D1": 1}
    notice = api.put(f"{base}/notice", {"title": "公示", "issuing_body": "区教委", "start_date": str(timezone.localdate()),
                                        "workdays": 5, "objection_contact": "023-79222222"},
                     content_type="application/json")
    assert notice.status_code == 200
    published = post(api, f"{base}/notice/publish").json()
    assert published["entries"] == 2 and published["published_at"]
    from tqr.reviews.models import Notice

    n = Notice.objects.get()
    objection_file(notice=n, entry=n.entries.first(), name="王某", contact="x", content="异议", ip="127.0.0.1")
    objections = api.get(f"{base}/objections").json()
    handled = post(api, f"/api/v1/reviews/objections/{objections[0]['id']}/handle",
                   {"outcome": "rejected", "handling": "经核实，维持结论"})
    assert handled.status_code == 200 and Objection.objects.get().outcome == "rejected"
    early = post(api, f"{base}/notice/close")
    assert early.status_code == 409 and "期满后" in early.json()["detail"]
    n.start_date, n.end_date = n.start_date - timedelta(days=20), n.end_date - timedelta(days=20)
    n.save()
    move_to(world, Phase.SECONDARY_REVIEW)
    assert post(api, f"{base}/notice/close").status_code == 200
    assert post(api, f"{base}/report").status_code == 200
    assert post(api, f"{base}/report").status_code == 409  # reported once


def test_outsiders_and_other_roles(world, client_for, apps):
    base = f"/api/v1/reviews/rounds/{world.round_a.pk}"
    assert client_for("reviewer_d2").get(f"{base}/queue").status_code == 404
    assert client_for("admin_a").get(f"{base}/queue").status_code == 403
    assert client_for("city_reviewer").get(f"{base}/queue").status_code == 200
    assert post(client_for("city_reviewer"), f"{base}/accept", {"applications": []}).status_code == 403
    conclusion = f"/api/v1/reviews/applications/{apps[0].pk}/conclusion"
    assert post(client_for("reviewer_d2"), conclusion, {"conclusion": "qualified"}).status_code == 404
    assert post(client_for("city_reviewer"), conclusion, {"conclusion": "qualified"}).status_code == 403
