"""Walk a teacher through the wizard with the test client."""

import io

from PIL import Image

from tqr.applications.models import Application


def jpeg(size=(1200, 1600), colour=(250, 250, 250)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG")
    return buf.getvalue()


def version(app: Application) -> int:
    app.refresh_from_db()
    return app.version


def fill_wizard(client, world, teacher=None, *, photo=True) -> Application:
    teacher = teacher or world.teacher_a1
    rid = world.round_a.pk
    assert client.post("/apply/").status_code == 302
    app = Application.objects.get(round=world.round_a, teacher=teacher)
    steps = {
        2: {"accept": "on"},
        3: {"id_type": "resident_id", "id_number": teacher.id_number,
            "certificate_number": teacher.certificates.first().number},
        4: {"name": teacher.name, "gender": teacher.gender, "ethnicity": "土家族", "cert_type": "primary",
            "cert_subject": "语文", "certifying_body": "重庆市黔江区教育委员会", "cert_issue_date": "2008-06-30",
            "registration_body": world.district_a.pk, "confirmation_point": teacher.unit_id},
        5: {},
    }
    for step, data in steps.items():
        response = client.post(f"/apply/{rid}/step/{step}/", {**data, "version": version(app)})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    data = {"unit": teacher.unit_id, "post_level": "primary", "subject": "语文", "title": "一级教师",
            "hire_date": "2006-09-01", "phone": "13812345678", "training_hours": "400",
            **{f"assess_{y}": "qualified" for y in range(world.round_a.year - 5, world.round_a.year)},
            "int-TOTAL_FORMS": "1", "int-INITIAL_FORMS": "0", "int-MIN_NUM_FORMS": "0", "int-MAX_NUM_FORMS": "20",
            "version": version(app)}
    response = client.post(f"/apply/{rid}/step/6/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    if photo:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("me.jpg", jpeg(), content_type="image/jpeg")
        response = client.post(f"/apply/{rid}/photo/", {"photo": upload, "version": version(app)})
        assert response.status_code == 302
    app.refresh_from_db()
    return app
