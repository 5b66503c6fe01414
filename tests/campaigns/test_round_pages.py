"""The round page (the district's notice, its timeline, contacts and attachments), attachment downloads,
and the home page every role lands on."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Announcement, AnnouncementAttachment, AnnouncementContact


@pytest.fixture
def announcement(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ann = Announcement.objects.create(
        round=world.round_a,
        document_number="黔江教办〔2026〕155号",
        title="关于做好2026年中小学教师资格定期注册工作的通知",
        addressees="各中小学校、幼儿园",
        body="根据有关规定，现将我区2026年教师资格定期注册工作通知如下。",
        issuing_body="重庆市黔江区教育委员会",
        training_starts_at=timezone.make_aware(datetime(2026, 3, 20, 14, 30)),
        training_place="区教师进修学院三楼报告厅",
        group_info="QQ群 123456789",
        materials_address="区继教中心 302 室",
        published_at=timezone.now(),
    )
    AnnouncementContact.objects.create(announcement=ann, name="李老师", organisation="区继教中心", phone="023-79222222")
    AnnouncementContact.objects.create(announcement=ann, name="何老师", organisation="区教委人事科", phone="13800001234")
    AnnouncementAttachment.objects.create(announcement=ann, number=1, title="注册工作公告", text="公告正文第一段。")
    stored = AnnouncementAttachment(announcement=ann, number=2, title="注册申请表", original_name="注册申请表（样表）.pdf")
    stored.file.save("x.pdf", ContentFile(b"%PDF-1.4 sample"), save=True)
    return ann


def round_page(client, world):
    return client.get(reverse("round_detail", args=(world.round_a.pk,)))


# --- The round page --------------------------------------------------------------------------------


def test_it_shows_the_announcement_with_its_contacts_training_and_attachments(world, client_for, announcement):
    response = round_page(client_for("t_a1"), world)

    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "黔江教办〔2026〕155号",
        "关于做好2026年中小学教师资格定期注册工作的通知",
        "各中小学校、幼儿园",
        "重庆市黔江区教育委员会",
        "李老师（区继教中心）",
        'href="tel:023-79222222"',
        "13800001234",
        "2026年3月20日 14:30",
        "区教师进修学院三楼报告厅",
        "QQ群 123456789",
        "区继教中心 302 室",
        "附件1：注册工作公告",
        "附件2：注册申请表",
        reverse("attachment_download", args=(world.round_a.pk, 1)),
        reverse("attachment_download", args=(world.round_a.pk, 2)),
    ):
        assert text in body, text


def test_it_shows_the_timeline_with_the_current_phase(world, client_for):
    body = round_page(client_for("admin_a"), world).content.decode()
    assert "当前环节：<strong>网上报名</strong>" in body
    assert "进行中" in body
    # Every phase of the schedule is on the timeline, in order.
    phases = ["注册管理员培训", "网上报名", "现场确认", "初审", "公示", "复审（随机抽查）", "终审", "登记注册结论", "资料归档"]
    positions = [body.index(f'<span class="phase">{p}</span>') for p in phases]
    assert positions == sorted(positions)


def test_it_marks_only_the_current_phase_as_in_progress(world, client_for):
    body = round_page(client_for("admin_a"), world).content.decode()
    assert body.count('<span class="badge">进行中</span>') == 1
    now = body.split('<li class="now">', 1)[1].split("</li>", 1)[0]
    assert "网上报名" in now


def test_it_shows_the_round_without_an_announcement_yet(world, client_for):
    body = round_page(client_for("reviewer_d1"), world).content.decode()
    assert world.round_a.title in body
    assert "网上报名" in body


def test_it_shows_the_rules_settings_of_the_round(world, client_for):
    body = round_page(client_for("t_a1"), world).content.decode()
    assert "360 学时" in body
    assert "5 个工作日" in body
    assert "10%" in body


# --- Downloads -------------------------------------------------------------------------------------


def test_it_sends_a_text_attachment_as_a_safe_download_and_audits_it(world, client_for, announcement):
    response = client_for("t_a1").get(reverse("attachment_download", args=(world.round_a.pk, 1)))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('附件1 注册工作公告.txt')}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "sandbox"
    assert "公告正文第一段。" in response.content.decode("utf-8")

    event = AuditEvent.objects.get(action="file.download")
    assert event.user_id == world.t_a1.pk
    assert event.object_type == "campaigns.announcementattachment"
    assert event.data == {"round": world.round_a.pk, "number": 1}


def test_it_sends_a_stored_file_under_its_original_name(world, client_for, announcement):
    response = client_for("reviewer_d1").get(reverse("attachment_download", args=(world.round_a.pk, 2)))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 sample"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('注册申请表（样表）.pdf')}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="file.download", user_id=world.reviewer_d1.pk).count() == 1


def test_it_never_puts_a_path_separator_into_the_download_name(world, client_for, announcement):
    AnnouncementAttachment.objects.filter(number=2).update(original_name="../../etc/passwd")

    response = client_for("t_a1").get(reverse("attachment_download", args=(world.round_a.pk, 2)))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "/" not in disposition
    assert "filename*=UTF-8''..%2F..%2Fetc%2Fpasswd" in disposition


def test_it_does_not_serve_stored_files_from_a_public_url(world, client_for, announcement):
    stored = AnnouncementAttachment.objects.get(number=2)
    assert client_for("anonymous").get(stored.file.url).status_code == 404
    assert client_for("t_a1").get(stored.file.url).status_code == 404


def test_it_does_not_audit_a_download_that_was_refused(world, client_for, announcement):
    response = client_for("reviewer_d2").get(reverse("attachment_download", args=(world.round_a.pk, 1)))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="file.download").exists()


# --- The home page of each role --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "scope", "role_label"),
    [
        ("t_a1", "school_a", "教师（申请人）"),
        ("admin_b", "school_b", "学校注册管理员"),
        ("reviewer_d1", "district_a", "区县审核人员"),
        ("reviewer_d2", "district_b", "区县审核人员"),
        ("city_reviewer", "city", "市级复审人员"),
        ("city_approver", "city", "市级终审人员"),
    ],
)
def test_it_shows_each_role_its_scope_and_the_current_phase(world, client_for, persona, scope, role_label):
    response = client_for(persona).get(reverse("home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert f"<strong>{role_label}</strong>" in body
    assert f"范围：<strong>{getattr(world, scope).name}</strong>" in body
    assert "当前环节：<strong>网上报名</strong>" in body
    lands_on = world.round_b if persona == "reviewer_d2" else world.round_a
    if persona not in ("city_reviewer", "city_approver"):  # the city sees both rounds of the same year
        assert reverse("round_detail", args=(lands_on.pk,)) in body


def test_it_shows_a_teacher_their_masked_details(world, client_for):
    body = client_for("t_a1").get(reverse("home")).content.decode()
    assert "张三" in body
    assert world.teacher_a1.id_masked in body
    assert world.teacher_a1.id_number not in body


def test_it_tells_the_auditor_there_is_no_round_in_scope(world, client_for):
    body = client_for("auditor").get(reverse("home")).content.decode()
    assert "审计管理员" in body
    assert "您所在的区县目前没有注册工作。" in body


def test_it_shows_the_sysadmin_a_round_and_the_way_to_the_admin(world, client_for):
    body = client_for("sysadmin").get(reverse("home")).content.decode()
    assert "当前环节：<strong>网上报名</strong>" in body
    assert 'href="/sysadmin/"' in body
