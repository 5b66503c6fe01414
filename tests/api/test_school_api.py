"""The school's part through the API: the same services, checks and refusals as the pages."""

import pytest

from tests.applications.test_school import submitted
from tqr.applications.models import HandOver
from tqr.campaigns.evaluation import evaluate_round

pytestmark = pytest.mark.django_db


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_roster_check_confirm_and_hand_over(world, client_for):
    evaluate_round(world.round_a)
    app = submitted(world, client_for)
    admin = client_for("admin_a")
    roster = admin.get(f"/api/v1/school/rounds/{world.round_a.pk}/roster?show=due").json()
    assert {r["name"] for r in roster["rows"]} == {"张三", "李四"} and roster["counts"]["submitted"] == 1
    check = admin.get(f"/api/v1/school/applications/{app.pk}/check").json()
    assert check["required_items"] == [1, 2, 3, 4, 5, 6, 7] and check["unchecked_items"] == [1, 2, 3, 4, 5, 6, 7]
    refused = post(admin, f"/api/v1/school/applications/{app.pk}/confirm")
    assert refused.status_code == 409 and "材料核验未完成" in refused.json()["detail"]
    saved = admin.put(f"/api/v1/school/applications/{app.pk}/check",
                      {"checklist": {str(n): True for n in range(1, 8)}, "note": "原件已核"},
                      content_type="application/json")
    assert saved.status_code == 200 and saved.json()["unchecked_items"] == []
    confirmed = post(admin, f"/api/v1/school/applications/{app.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    again = post(admin, f"/api/v1/school/applications/{app.pk}/confirm")
    assert again.status_code == 409 and "学校已现场确认" in again.json()["detail"]
    response = post(admin, f"/api/v1/school/rounds/{world.round_a.pk}/handover", {"filled_by": "陈老师"})
    assert response.status_code == 201 and response.json()["statistics"]["confirmed"] == 1
    assert HandOver.objects.count() == 1
    assert post(admin, f"/api/v1/school/rounds/{world.round_a.pk}/handover", {"filled_by": "陈老师"}).status_code == 409


def test_a_return_without_reason_is_refused(world, client_for):
    app = submitted(world, client_for)
    admin = client_for("admin_a")
    assert post(admin, f"/api/v1/school/applications/{app.pk}/return", {"reason": " "}).status_code == 409
    ok = post(admin, f"/api/v1/school/applications/{app.pk}/return", {"reason": "缺聘用合同复印件"})
    assert ok.status_code == 200 and ok.json()["return_reason"] == "缺聘用合同复印件"


def test_bulk_reports_item_by_item_including_what_is_not_ours(world, client_for):
    app = submitted(world, client_for)
    result = post(client_for("admin_a"), f"/api/v1/school/rounds/{world.round_a.pk}/confirm",
                  {"applications": [app.pk, 999999]}).json()
    assert [(r["application_id"], r["ok"]) for r in result] == [(app.pk, False), (999999, False)]
    assert "材料核验未完成" in result[0]["message"]


def test_the_batch_of_proofs_is_a_job(world, client_for):
    submitted(world, client_for)
    admin = client_for("admin_a")
    response = post(admin, f"/api/v1/school/rounds/{world.round_a.pk}/proofs")
    assert response.status_code == 202
    job = admin.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == "done" and job["download_url"]
    assert client_for("admin_b").get(f"/api/v1/jobs/{job['id']}").status_code == 404


def test_another_school_cannot_act(world, client_for):
    app = submitted(world, client_for)
    other = client_for("admin_b")
    assert other.get(f"/api/v1/school/applications/{app.pk}/check").status_code == 404
    assert post(other, f"/api/v1/school/applications/{app.pk}/confirm").status_code == 404
    assert client_for("t_a1").get(f"/api/v1/school/applications/{app.pk}/check").status_code == 403
    assert client_for("reviewer_d2").get(f"/api/v1/school/rounds/{world.round_a.pk}/roster").status_code == 404
