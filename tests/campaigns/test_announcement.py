"""The district writes, attaches to and publishes the round's notice; schools and teachers read it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Announcement

pytestmark = pytest.mark.django_db

FORM = {"document_number": "黔江教办〔2026〕155号", "title": "关于开展2026年中小学教师资格定期注册工作的通知",
        "addressees": "各中小学、幼儿园", "body": "根据……现将有关事项通知如下。", "issuing_body": "重庆市黔江区教育委员会办公室",
        "training_starts_at": "2026-11-06T09:00", "training_place": "黔江电大综合楼四楼计算机教室",
        "group_info": "黔江教师资格定期注册交流群568084509", "materials_address": "黔江电大综合楼207办公室",
        "contacts": "兰建伟，区教委，13896453785\n兰菊秋, 区继教中心, 13452208820"}


def edit_url(world):
    return f"/rounds/{world.round_a.pk}/announcement/"


def test_the_district_writes_the_notice_with_its_contacts(world, client_for):
    response = client_for("reviewer_d1").post(edit_url(world), FORM)
    assert response.status_code == 302
    ann = Announcement.objects.get(round=world.round_a)
    assert ann.title == FORM["title"] and ann.published_at is None
    assert [(c.name, c.organisation, c.phone) for c in ann.contacts.all()] == [
        ("兰建伟", "区教委", "13896453785"), ("兰菊秋", "区继教中心", "13452208820")]
    assert AuditEvent.objects.filter(action="announcement.create", user=world.reviewer_d1).count() == 1


def test_a_bad_contact_line_says_which_line_and_keeps_the_text(world, client_for):
    response = client_for("reviewer_d1").post(edit_url(world), {**FORM, "contacts": "兰建伟 区教委\n兰菊秋，区继教中心，12345"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "第1行应为“姓名，单位，电话”三项" in body
    assert "第2行的电话“12345”不是有效的手机或座机号码" in body
    assert FORM["title"] in body  # nothing typed is lost
    assert not Announcement.objects.exists()


def test_a_draft_is_hidden_from_schools_and_teachers_until_published(world, client_for):
    client_for("reviewer_d1").post(edit_url(world), FORM)
    detail = f"/rounds/{world.round_a.pk}/"
    assert FORM["title"] not in client_for("t_a1").get(detail).content.decode()
    assert client_for("t_a1").get(f"/api/v1/rounds/{world.round_a.pk}/announcement").status_code == 404
    assert client_for("reviewer_d1").post(f"/rounds/{world.round_a.pk}/announcement/publish/").status_code == 302
    body = client_for("t_a1").get(detail).content.decode()
    assert FORM["title"] in body and "13896453785" in body and "黔江电大综合楼四楼计算机教室" in body
    assert AuditEvent.objects.filter(action="announcement.publish").count() == 1
    # Publishing twice changes nothing and writes no second row.
    client_for("reviewer_d1").post(f"/rounds/{world.round_a.pk}/announcement/publish/")
    assert AuditEvent.objects.filter(action="announcement.publish").count() == 1


def test_an_attachment_is_stored_under_a_generated_name_and_downloaded_safely(world, client_for):
    client = client_for("reviewer_d1")
    client.post(edit_url(world), FORM)
    upload = SimpleUploadedFile("../../etc/统计表.xlsx", b"PK\x03\x04 fake workbook", content_type="application/zip")
    assert client.post(edit_url(world), {"form": "attachment", "title": "统计表", "file": upload}).status_code == 302
    attachment = Announcement.objects.get().attachments.get()
    assert attachment.original_name == "统计表.xlsx"
    assert ".." not in attachment.file.name and "统计表" not in attachment.file.name
    response = client.get(f"/rounds/{world.round_a.pk}/attachments/{attachment.number}/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx" in response["Content-Disposition"]


def test_an_attachment_of_an_unknown_type_is_refused_with_a_message(world, client_for):
    client = client_for("reviewer_d1")
    client.post(edit_url(world), FORM)
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(edit_url(world), {"form": "attachment", "title": "程序", "file": upload})
    assert "不支持该文件类型" in response.content.decode()
    assert not Announcement.objects.get().attachments.exists()


def test_the_api_saves_and_publishes_through_the_same_form(world, client_for):
    client = client_for("reviewer_d1")
    url = f"/api/v1/rounds/{world.round_a.pk}/announcement"
    bad = client.put(url, {"title": "通知", "body": "正文", "issuing_body": "区教委",
                           "contacts": [{"name": "兰建伟", "organisation": "区教委", "phone": "123"}]},
                     content_type="application/json")
    assert bad.status_code == 400
    assert "不是有效的手机或座机号码" in bad.json()["errors"]["contacts"][0]
    ok = client.put(url, {"title": "通知", "body": "正文", "issuing_body": "区教委"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["published_at"] is None
    published = client.post(f"{url}/publish", content_type="application/json")
    assert published.json()["published_at"] is not None
