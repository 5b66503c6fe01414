"""A teacher's online application: each step saves, errors keep what was typed, one per round."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.applications.helpers import fill_wizard, version
from tests.factories import windows_around
from tqr.applications.models import Application, ApplicationEvent
from tqr.audit.models import AuditEvent
from tqr.campaigns.services import round_set_windows
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


def test_a_teacher_goes_through_every_step_and_submits(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    assert app.step == 6 and app.photo and app.terms_accepted_at
    status = client.get(f"/apply/{world.round_a.pk}/")
    body = status.content.decode()
    assert "草稿" in body and "提交申请" in body and "定期注册" in body
    response = client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted" and app.submitted_at is not None
    assert ApplicationEvent.objects.filter(application=app, action="submit").count() == 1
    assert AuditEvent.objects.filter(action="application.submit", user=world.t_a1, result="success").count() == 1
    body = client.get(f"/apply/{world.round_a.pk}/").content.decode()
    assert "打印《申请表》一式2份" in body


def test_a_double_click_on_submit_gives_one_submission(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    v = version(app)
    first = client.post(f"/apply/{world.round_a.pk}/submit/", {"version": v})
    second = client.post(f"/apply/{world.round_a.pk}/submit/", {"version": v})
    assert first.status_code == second.status_code == 302
    assert ApplicationEvent.objects.filter(application=app, action="submit").count() == 1
    assert Application.objects.filter(teacher=world.teacher_a1).count() == 1


def test_starting_twice_gives_the_same_application(world, client_for):
    client = client_for("t_a1")
    client.post("/apply/")
    client.post("/apply/")
    assert Application.objects.filter(round=world.round_a, teacher=world.teacher_a1).count() == 1


def test_a_wrong_id_checksum_is_named_and_the_certificate_number_is_kept(world, client_for):
    client = client_for("t_a1")
    client.post("/apply/")
    app = Application.objects.get()
    bad_id = world.teacher_a1.id_number[:17] + ("0" if world.teacher_a1.id_number[17] != "0" else "1")
    response = client.post(f"/apply/{world.round_a.pk}/step/3/",
                           {"id_type": "resident_id", "id_number": bad_id, "certificate_number": "20085011420000077",
                            "version": version(app)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验" in body
    assert 'value="20085011420000077"' in body  # the other field keeps what was typed
    app.refresh_from_db()
    assert app.id_number == world.teacher_a1.id_number  # nothing saved was lost


def test_full_width_digits_and_a_lower_case_x_are_normalised_and_stored(world, client_for):
    from tqr.rules.identifiers import make_resident_id

    client = client_for("t_a1")
    client.post("/apply/")
    app = Application.objects.get()
    # Find an ID ending in X for the test.
    from datetime import date
    id_x = next(i for s in range(1, 999) if (i := make_resident_id("500114", date(1990, 1, 1), s)).endswith("X"))
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in id_x[:17]) + " x"
    response = client.post(f"/apply/{world.round_a.pk}/step/3/",
                           {"id_type": "resident_id", "id_number": typed,
                            "certificate_number": world.teacher_a1.certificates.first().number,
                            "version": version(app)})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.id_number == id_x


def test_a_name_with_a_middle_dot_or_a_rare_character_is_stored_exactly(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    for name in ("买买提·艾力", "𠮷田", "Anna Li"):
        data = {"name": name, "gender": "male", "ethnicity": "维吾尔族", "cert_type": "primary", "cert_subject": "语文",
                "certifying_body": "重庆市黔江区教育委员会", "cert_issue_date": "2008-06-30",
                "registration_body": world.district_a.pk, "confirmation_point": world.school_a.pk,
                "version": version(app)}
        assert client.post(f"/apply/{world.round_a.pk}/step/4/", data).status_code == 302
        app.refresh_from_db()
        assert app.name == name
        assert name in client.get(f"/apply/{world.round_a.pk}/").content.decode()


def test_a_certificate_type_that_disagrees_with_the_number_is_refused(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    data = {"name": "张三", "gender": "male", "ethnicity": "汉族", "cert_type": "senior", "cert_subject": "语文",
            "certifying_body": "重庆市黔江区教育委员会", "cert_issue_date": "2008-06-30",
            "registration_body": world.district_a.pk, "confirmation_point": world.school_a.pk, "version": version(app)}
    body = client.post(f"/apply/{world.round_a.pk}/step/4/", data).content.decode()
    assert "与证书号码第10位不一致" in body


def test_the_rules_show_a_deferral_before_submitting_and_submitting_is_still_allowed(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    from tqr.applications.services import application_save

    application_save(application=app, data={"training_hours": 300}, actor=world.t_a1)
    body = client.get(f"/apply/{world.round_a.pk}/").content.decode()
    assert "培训学时 300，需满 360 学时" in body
    assert "暂缓注册" in body
    assert client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)}).status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted"


def test_outside_the_window_the_page_says_when_it_opens_and_the_draft_is_kept(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    later = timezone.localdate() + timedelta(days=30)
    round_set_windows(round_=world.round_a, windows=windows_around(later, Phase.APPLICATION))
    body = client.get(f"/apply/{world.round_a.pk}/step/3/").content.decode()
    assert "网上报名将于" in body and "开始" in body
    response = client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "draft" and app.name == world.teacher_a1.name


def test_after_the_window_closed_an_edit_is_refused_and_nothing_changes(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    earlier = timezone.localdate() - timedelta(days=60)
    round_set_windows(round_=world.round_a, windows=windows_around(earlier, Phase.APPLICATION))
    response = client.post(f"/apply/{world.round_a.pk}/step/3/",
                           {"id_type": "resident_id", "id_number": app.id_number,
                            "certificate_number": "20085011420000099", "version": version(app)}, follow=True)
    assert "网上报名已于" in response.content.decode()
    app.refresh_from_db()
    assert app.certificate_number != "20085011420000099"


def test_submission_needs_every_item_and_lists_what_is_missing(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world, photo=False)
    response = client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)}, follow=True)
    assert "上传照片" in response.content.decode()
    app.refresh_from_db()
    assert app.state == "draft"


def test_a_teacher_edits_after_submitting_until_the_school_confirms_and_every_edit_is_in_the_history(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    client.post(f"/apply/{world.round_a.pk}/submit/", {"version": version(app)})
    data = {"accept": "on", "version": version(app)}
    assert client.post(f"/apply/{world.round_a.pk}/step/2/", data).status_code == 302
    data = {"unit": world.school_a.pk, "post_level": "primary", "subject": "数学", "title": "", "hire_date": "2006-09-01",
            "phone": "13812345678", "training_hours": "400", "int-TOTAL_FORMS": "0", "int-INITIAL_FORMS": "0",
            "int-MIN_NUM_FORMS": "0", "int-MAX_NUM_FORMS": "20", "version": version(app)}
    assert client.post(f"/apply/{world.round_a.pk}/step/6/", data).status_code == 302
    edit = ApplicationEvent.objects.filter(application=app, action="edit").last()
    assert edit.changes["subject"] == ["语文", "数学"]
    from tqr.applications.school import application_check
    from tqr.applications.services import application_transition

    application_check(application=app, checklist={str(n): True for n in range(1, 8)}, note="", choices={},
                      actor=world.admin_a)
    application_transition(application=app, action="confirm", actor=world.admin_a)
    data["subject"], data["version"] = "英语", version(app)
    client.post(f"/apply/{world.round_a.pk}/step/6/", data)
    app.refresh_from_db()
    assert app.subject == "数学"  # confirmed: the teacher can no longer change it


def test_a_stale_form_is_a_conflict_and_overwrites_nothing(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    stale = version(app) - 1
    response = client.post(f"/apply/{world.round_a.pk}/step/3/",
                           {"id_type": "resident_id", "id_number": app.id_number,
                            "certificate_number": "20085011420000099", "version": stale}, follow=True)
    assert "请刷新页面" in response.content.decode()
    app.refresh_from_db()
    assert app.certificate_number != "20085011420000099"


def test_another_teacher_cannot_see_or_touch_the_application(world, client_for):
    fill_wizard(client_for("t_a1"), world)
    other = client_for("t_a2")
    assert other.get(f"/apply/{world.round_a.pk}/").status_code == 404
    assert other.get(f"/apply/{world.round_a.pk}/form.pdf").status_code == 404
    assert other.get(f"/apply/{world.round_a.pk}/photo.jpg").status_code == 404


def test_a_school_admin_cannot_use_the_teacher_wizard(world, client_for):
    assert client_for("admin_a").post("/apply/").status_code == 403
    assert client_for("reviewer_d1").get("/apply/").status_code == 403


def test_the_form_pdf_is_the_current_data(world, client_for):
    client = client_for("t_a1")
    app = fill_wizard(client, world)
    response = client.get(f"/apply/{world.round_a.pk}/form.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="application.form_pdf", object_id=str(app.pk)).exists()
