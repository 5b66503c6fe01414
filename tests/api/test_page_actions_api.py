"""The endpoints added so every page action has one (tests/api/test_parity.py), the rate limit, pagination."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.reviews.helpers import confirmed, move_to
from tests.reviews.test_notice import published
from tqr.api import auth as api_auth
from tqr.applications.models import HandOver
from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Announcement
from tqr.reviews.models import Objection
from tqr.rules.phases import Phase

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def post(client, path, body=None):
    return client.post(API + path, data=json.dumps(body or {}), content_type="application/json")


def test_the_district_lists_hand_overs_and_registers_one_received(world, client_for):
    h = HandOver.objects.create(round=world.round_a, unit=world.school_a, statistics={"total": 2}, filled_by="陈老师",
                                phone="13812345678")
    reviewer = client_for("reviewer_d1")
    body = reviewer.get(f"{API}/reviews/rounds/{world.round_a.pk}/handovers").json()
    assert body["arrived"] == 1
    row = next(r for r in body["rows"] if r["unit_id"] == world.school_a.pk)
    assert row["handover_id"] == h.pk and row["received_at"] is None
    response = post(reviewer, f"/reviews/rounds/{world.round_a.pk}/handovers/{h.pk}/receive")
    assert response.status_code == 200 and response.json()["received_at"]
    assert AuditEvent.objects.filter(action="handover.receive").count() == 1
    assert post(client_for("city_reviewer"), f"/reviews/rounds/{world.round_a.pk}/handovers/{h.pk}/receive"
                ).status_code == 403


def test_the_district_uploads_an_announcement_attachment(world, client_for):
    Announcement.objects.create(round=world.round_a, title="通知", body="正文", issuing_body="区教委")
    client = client_for("reviewer_d1")
    path = f"{API}/rounds/{world.round_a.pk}/announcement/attachments"
    response = client.post(path, {"title": "统计表", "file": SimpleUploadedFile("统计表.txt", "内容".encode())})
    assert response.status_code == 201
    assert [a["title"] for a in response.json()["attachments"]] == ["统计表"]
    refused = client.post(path, {"title": "程序", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert refused.status_code == 400 and "file" in refused.json()["errors"]


def test_the_review_detail_gives_the_rules_reason_and_the_conclusion_keeps_only_their_codes(world, client_for):
    app = confirmed(world, world.teacher_a2, hours=300)
    move_to(world, Phase.INITIAL_REVIEW)
    client = client_for("reviewer_d1")
    detail = client.get(f"{API}/reviews/applications/{app.pk}").json()
    assert "D1" in detail["default_codes"] and detail["default_reason"]
    response = post(client, f"/reviews/applications/{app.pk}/conclusion",
                    {"conclusion": "deferred", "reason": detail["default_reason"], "codes": ["D1", "X9"]})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.conclusion == "deferred" and app.conclusion_codes == ["D1"]  # as the page: X9 is not a rule code here


def test_the_city_returns_are_listed_for_the_district(world, client_for):
    body = client_for("reviewer_d1").get(f"{API}/city/rounds/{world.round_a.pk}/returns").json()
    assert body == {"count": 0, "items": []}


def test_the_public_notice_and_an_objection_without_a_login(world):
    app = confirmed(world, world.teacher_a1)
    move_to(world, Phase.INITIAL_REVIEW)
    from tqr.applications.services import application_transition

    application_transition(application=app, action="review", actor=world.reviewer_d1, conclusion="qualified")
    notice = published(world)
    public = Client()
    body = public.get(f"{API}/public/notices/{notice.slug}?q=张").json()
    assert body["count"] == 1 and body["open"] and set(body["items"][0]) >= {"number", "name", "unit", "conclusion"}
    assert "id_number" not in json.dumps(body)
    bad = post(public, f"/public/notices/{notice.slug}/objections", {"entry": 99, "name": "", "contact": "", "content": ""})
    assert bad.status_code == 400 and len(bad.json()["problems"]) == 4
    ok = post(public, f"/public/notices/{notice.slug}/objections",
              {"entry": 1, "name": "李明", "contact": "13800000000", "content": "长期离岗。"})
    assert ok.status_code == 201
    assert Objection.objects.get().content == "长期离岗。"
    assert public.get(f"{API}/public/notices/nope").status_code == 404


def test_the_api_is_rate_limited_per_user_with_a_chinese_429(world, settings):
    settings.TQR_API_REQUESTS_PER_MINUTE = 3
    _t, raw = api_auth.token_create(user=world.t_a1, name="脚本")
    _t2, other = api_auth.token_create(user=world.t_a2, name="脚本")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert [client.get(f"{API}/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"{API}/me")
    assert refused.status_code == 429
    assert refused.json() == {"detail": "请求过于频繁，请稍后再试"} and int(refused["Retry-After"]) > 0
    assert Client(headers={"Authorization": f"Bearer {other}"}).get(f"{API}/me").status_code == 200  # per user


def test_refusals_speak_chinese(world):
    assert Client().get(f"{API}/me").json()["detail"].startswith("请先登录")
    _t, raw = api_auth.token_create(user=world.t_a1, name="脚本")
    missing = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/applications/999999")
    assert missing.status_code == 404 and missing.json() == {"detail": "不存在，或不在您的权限范围内"}


def test_the_roster_pages_like_the_page_filters(world, client_for):
    client = client_for("admin_a")
    whole = client.get(f"{API}/school/rounds/{world.round_a.pk}/roster?show=all").json()
    assert whole["count"] == len(whole["rows"]) >= 2
    page = client.get(f"{API}/school/rounds/{world.round_a.pk}/roster?show=all&sort=name&limit=1&offset=1").json()
    assert page["count"] == whole["count"] and [r["teacher_id"] for r in page["rows"]] == [whole["rows"][1]["teacher_id"]]
    default = client.get(f"{API}/school/rounds/{world.round_a.pk}/roster").json()
    due = client.get(f"{API}/school/rounds/{world.round_a.pk}/roster?show=due").json()
    assert default["count"] == due["count"]  # the page's default tab
