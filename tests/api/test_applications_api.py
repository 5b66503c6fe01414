"""The teacher's application through the JSON API: the same validation, flow and history as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.applications.helpers import jpeg
from tqr.api.auth import token_create
from tqr.applications.models import Application, ApplicationEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    token, raw = token_create(user=world.t_a1, name="手机")
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def start(api, world) -> dict:
    response = post(api, f"/api/v1/rounds/{world.round_a.pk}/application", {})
    assert response.status_code == 201
    return response.json()


def step(api, app, n, data):
    return post(api, f"/api/v1/applications/{app['id']}/steps", {"step": n, "version": app["version"], "data": data})


def test_a_teacher_applies_and_submits_through_the_api(api, world):
    app = start(api, world)
    assert app["state"] == "draft" and app["name"] == "张三"  # prefilled from the school's records
    app = step(api, app, 2, {"accept": True}).json()
    t = world.teacher_a1
    app = step(api, app, 3, {"id_type": "resident_id", "id_number": t.id_number,
                             "certificate_number": t.certificates.first().number}).json()
    app = step(api, app, 4, {"name": "张三", "gender": "male", "ethnicity": "汉族", "cert_type": "primary",
                             "cert_subject": "语文", "certifying_body": "重庆市黔江区教育委员会",
                             "cert_issue_date": "2008-06-30", "registration_body": world.district_a.pk,
                             "confirmation_point": world.school_a.pk}).json()
    year = world.round_a.year
    response = step(api, app, 6, {"unit": world.school_a.pk, "post_level": "primary", "subject": "语文",
                                  "hire_date": "2006-09-01", "phone": "13812345678", "training_hours": 300,
                                  "assessments": {str(y): "qualified" for y in range(year - 5, year)},
                                  "interruptions": [{"start": f"{year - 2}-03-01", "end": f"{year - 2}-07-31",
                                                     "approved": "sick", "note": "病假"}]})
    assert response.status_code == 200, response.content
    app = response.json()
    assert app["evaluation"]["proposal"] == "deferred"  # 300 < 360 hours: the rules say so before submitting
    assert app["missing"] == ["上传照片（第6步）"]
    upload = SimpleUploadedFile("me.png", jpeg(), content_type="image/jpeg")
    response = api.post(f"/api/v1/applications/{app['id']}/photo", {"photo": upload, "version": app["version"]})
    assert response.status_code == 200, response.content
    app = response.json()
    assert app["has_photo"] and app["actions"] == ["submit"]
    response = post(api, f"/api/v1/applications/{app['id']}/submit", {"version": app["version"]})
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    pdf = api.get(f"/api/v1/applications/{app['id']}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert ApplicationEvent.objects.filter(application_id=app["id"], action="submit").count() == 1


def test_a_validation_error_names_the_field_in_chinese(api, world):
    app = start(api, world)
    response = step(api, app, 3, {"id_type": "resident_id", "id_number": "500114198503140000",
                                  "certificate_number": "123"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "id_number" in errors and "certificate_number" in errors
    assert all(isinstance(m, str) and m for m in errors["id_number"])


def test_a_stale_version_is_a_409_and_changes_nothing(api, world):
    app = start(api, world)
    step(api, app, 2, {"accept": True})
    response = step(api, app, 2, {"accept": True})  # the same (now stale) version again
    assert response.status_code == 409
    assert "刷新" in response.json()["detail"]


def test_mass_assignment_is_ignored(api, world):
    app = start(api, world)
    response = step(api, app, 4, {"name": "张三", "gender": "male", "ethnicity": "汉族", "cert_type": "primary",
                                  "cert_subject": "语文", "certifying_body": "重庆市黔江区教育委员会",
                                  "cert_issue_date": "2008-06-30", "registration_body": world.district_a.pk,
                                  "confirmation_point": world.school_a.pk, "state": "confirmed",
                                  "teacher": world.teacher_b.pk, "return_reason": "ok"})
    assert response.status_code == 200
    row = Application.objects.get(pk=app["id"])
    assert (row.state, row.teacher_id, row.return_reason) == ("draft", world.teacher_a1.pk, "")


def test_a_photo_that_is_not_an_image_is_refused_with_a_message(api, world):
    app = start(api, world)
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = api.post(f"/api/v1/applications/{app['id']}/photo", {"photo": upload})
    assert response.status_code == 400
    assert "JPG" in response.json()["detail"] or "不支持" in response.json()["detail"]


def test_submitting_an_incomplete_draft_says_what_is_missing(api, world):
    app = start(api, world)
    response = post(api, f"/api/v1/applications/{app['id']}/submit", {"version": app["version"]})
    assert response.status_code == 409
    assert "承诺事项" in response.json()["detail"]


def test_another_teacher_gets_404_and_a_school_admin_cannot_edit(api, world, client_for):
    app = start(api, world)
    assert client_for("t_a2").get(f"/api/v1/applications/{app['id']}").status_code == 404
    admin = client_for("admin_a")
    assert admin.get(f"/api/v1/applications/{app['id']}").status_code == 200  # the school sees it
    response = post(admin, f"/api/v1/applications/{app['id']}/steps", {"step": 2, "version": 1, "data": {}})
    assert response.status_code == 403
    assert post(client_for("t_a2"), f"/api/v1/applications/{app['id']}/submit", {}).status_code == 404


def test_the_list_is_scoped(api, world, client_for):
    start(api, world)
    assert api.get("/api/v1/applications").json()["count"] == 1
    assert client_for("reviewer_d1").get("/api/v1/applications").json()["count"] == 1
    assert client_for("reviewer_d2").get("/api/v1/applications").json()["count"] == 0
    assert client_for("admin_b").get("/api/v1/applications").json()["count"] == 0
