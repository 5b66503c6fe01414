"""Retention (security-tests.md §6 item 47, §7 item 53; PIPL Art. 19 and 47; ASVS 14.1.2).

Teachers' photos, and the files generated from their round, are deleted TQR_PHOTO_RETENTION_YEARS after the
round's archiving began; the deletion is logged (counts, never names) and a second run changes nothing. The
audit log itself is never deleted by the app, and its retention cannot be set below 186 days.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from tests.factories import teacher
from tqr.applications.models import Application
from tqr.applications.services import application_start
from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Announcement, AnnouncementAttachment
from tqr.core.management.commands.apply_retention import years_before
from tqr.core.models import Job
from tqr.rules.phases import Phase

pytestmark = pytest.mark.security


@pytest.fixture
def photos(world, settings, tmp_path):
    """Round A: two applications with photos, a generated file, a forgotten photo; an announcement file."""
    settings.MEDIA_ROOT = tmp_path
    w = world
    w.app1 = application_start(round_=w.round_a, teacher=w.teacher_a1, actor=w.t_a1)
    w.app2 = application_start(round_=w.round_a, teacher=w.teacher_a2, actor=w.t_a2)
    w.app_b = application_start(round_=w.round_b, teacher=w.teacher_c, actor=w.t_c)
    for app in (w.app1, w.app2, w.app_b):
        app.photo.save("p.jpg", ContentFile(b"\xff\xd8 photo"), save=True)
    w.orphan = default_storage.save(f"photos/{w.round_a.pk}/left-behind.jpg", ContentFile(b"\xff\xd8 old"))
    w.job = Job.objects.create(kind="archive", label="归档包", owner=w.reviewer_d1, params={"round": w.round_a.pk})
    w.job.file.save("archive.zip", ContentFile(b"PK zip of forms with photos"), save=True)
    w.other_job = Job.objects.create(kind="school_proofs", label="考核鉴定表", owner=w.admin_a, params={"round": 999999})
    w.other_job.file.save("proofs.pdf", ContentFile(b"%PDF another round"), save=True)
    ann = Announcement.objects.create(round=w.round_a, title="通知", body="正文", issuing_body="区教委")
    w.attachment = AnnouncementAttachment.objects.create(announcement=ann, number=1, title="公告")
    w.attachment.file.save("notice.pdf", ContentFile(b"%PDF public"), save=True)
    w.archiving_a = w.round_a.window(Phase.ARCHIVING).start_date
    return w


def run(now, *extra) -> str:
    out = io.StringIO()
    call_command("apply_retention", f"--now={now.isoformat()}", *extra, stdout=out)
    return out.getvalue()


def exists(name: str) -> bool:
    return default_storage.exists(name)


def test_it_deletes_the_photos_and_generated_files_of_a_round_past_its_retention(photos):
    w = photos
    names = [w.app1.photo.name, w.app2.photo.name, w.orphan, w.job.file.name]
    assert all(exists(n) for n in names)

    output = run(w.archiving_a.replace(year=w.archiving_a.year + 3) + timedelta(days=1))

    assert not any(exists(n) for n in names)
    assert Application.objects.get(pk=w.app1.pk).photo.name == ""
    assert Application.objects.get(pk=w.app2.pk).photo.name == ""
    assert Job.objects.get(pk=w.job.pk).file.name == ""
    assert "照片 2 张、生成文件 1 个、遗留文件 1 个" in output
    # Round B shares the dates in the test world, so it is due as well.
    assert Application.objects.get(pk=w.app_b.pk).photo.name == ""


def test_it_logs_one_row_per_round_with_counts_and_never_a_name(photos):
    w = photos
    run(w.archiving_a.replace(year=w.archiving_a.year + 3) + timedelta(days=1))

    rows = sorted(AuditEvent.objects.filter(action="retention.delete"), key=lambda r: int(r.object_id))
    assert [(r.object_type, r.object_id) for r in rows] == [
        ("campaigns.round", str(w.round_a.pk)), ("campaigns.round", str(w.round_b.pk))]
    row_a = rows[0]
    assert row_a.data == {"photos": 2, "job_files": 1, "orphan_files": 1, "retention_years": 3,
                          "archiving_started": w.archiving_a.isoformat()}
    text = str(row_a.data) + row_a.object_label
    for secret in ("张三", "李四", "photos/", ".jpg", "archive.zip"):
        assert secret not in text


def test_a_second_run_deletes_and_logs_nothing(photos):
    w = photos
    later = w.archiving_a.replace(year=w.archiving_a.year + 3) + timedelta(days=1)
    run(later)
    rows = AuditEvent.objects.count()

    output = run(later + timedelta(days=30))

    assert "没有到期需要删除的文件" in output
    assert AuditEvent.objects.count() == rows


def test_it_keeps_everything_until_the_retention_has_passed(photos):
    w = photos
    output = run(w.archiving_a.replace(year=w.archiving_a.year + 3))  # exactly three years: not more than

    assert "没有到期需要删除的文件" in output
    assert exists(w.app1.photo.name) and exists(w.orphan) and exists(w.job.file.name)
    assert not AuditEvent.objects.filter(action="retention.delete").exists()


def test_the_retention_comes_from_the_setting(photos, settings):
    w = photos
    settings.TQR_PHOTO_RETENTION_YEARS = 5
    run(w.archiving_a.replace(year=w.archiving_a.year + 4))
    assert exists(w.app1.photo.name)
    run(w.archiving_a.replace(year=w.archiving_a.year + 5) + timedelta(days=1))
    assert not exists(w.app1.photo.name)
    assert AuditEvent.objects.filter(action="retention.delete").first().data["retention_years"] == 5


def test_a_dry_run_counts_without_deleting_or_logging(photos):
    w = photos
    output = run(w.archiving_a.replace(year=w.archiving_a.year + 10), "--dry-run")

    assert "将删除照片 2 张、生成文件 1 个、遗留文件 1 个" in output
    assert "试运行" in output
    assert exists(w.app1.photo.name) and Application.objects.get(pk=w.app1.pk).photo
    assert not AuditEvent.objects.filter(action="retention.delete").exists()


def test_it_leaves_public_documents_other_rounds_and_rounds_not_yet_archived(photos):
    w = photos
    # Round B has not started archiving yet: its archiving window moves into the future.
    w.round_b.phase_windows.filter(phase=Phase.ARCHIVING).update(
        start_date=w.archiving_a.replace(year=w.archiving_a.year + 20))

    run(w.archiving_a.replace(year=w.archiving_a.year + 3) + timedelta(days=1))

    assert exists(w.attachment.file.name)  # the announcement's attachment is public, not personal data
    assert exists(w.other_job.file.name)
    assert exists(w.app_b.photo.name) and Application.objects.get(pk=w.app_b.pk).photo
    assert not AuditEvent.objects.filter(action="retention.delete", object_id=str(w.round_b.pk)).exists()


def test_a_round_without_an_archiving_window_is_never_due(photos):
    w = photos
    w.round_a.phase_windows.filter(phase=Phase.ARCHIVING).delete()
    run(w.archiving_a.replace(year=w.archiving_a.year + 50))
    assert exists(w.app1.photo.name)


def test_it_finishes_a_run_that_was_interrupted_after_clearing_the_references(photos):
    # The references were cleared and logged, then the process died before the files went: the next run
    # finds them in the round's folder with nothing pointing at them, deletes and logs them.
    w = photos
    names = [w.app1.photo.name, w.app2.photo.name]
    Application.objects.filter(round=w.round_a).update(photo="")

    run(w.archiving_a.replace(year=w.archiving_a.year + 3) + timedelta(days=1))

    assert not any(exists(n) for n in names)
    row = AuditEvent.objects.get(action="retention.delete", object_id=str(w.round_a.pk))
    assert (row.data["photos"], row.data["orphan_files"]) == (0, 3)


def test_it_never_deletes_the_audit_log(photos):
    w = photos
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    output = run(w.archiving_a.replace(year=w.archiving_a.year + 30))
    assert before <= set(AuditEvent.objects.values_list("pk", flat=True))
    assert "审计日志：本命令从不删除" in output and "186 天" in output


def test_years_before_handles_the_leap_day():
    from datetime import date

    assert years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert years_before(date(2030, 6, 1), 3) == date(2027, 6, 1)


def test_an_unrelated_teacher_without_photo_is_not_counted(photos):
    w = photos
    t = teacher(w.school_a, "周七", account="t099")
    application_start(round_=w.round_a, teacher=t, actor=t.user)  # no photo
    output = run(w.archiving_a.replace(year=w.archiving_a.year + 3) + timedelta(days=1))
    assert "照片 2 张" in output


# --- The settings ----------------------------------------------------------------------------------


def _settings_with(**env) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; " \
           "print(settings.TQR_AUDIT_RETENTION_DAYS, settings.TQR_PHOTO_RETENTION_YEARS)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(django_settings.BASE_DIR),
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "tqr.settings", **env})


def test_the_retention_settings_default_to_186_days_and_3_years():
    done = _settings_with()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["186", "3"]


def test_the_audit_retention_can_be_longer():
    assert _settings_with(TQR_AUDIT_RETENTION_DAYS="400").stdout.split()[0] == "400"


@pytest.mark.parametrize("env", [{"TQR_AUDIT_RETENTION_DAYS": "185"}, {"TQR_AUDIT_RETENTION_DAYS": "0"},
                                 {"TQR_PHOTO_RETENTION_YEARS": "0"}])
def test_a_shorter_retention_stops_the_start_up(env):
    done = _settings_with(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and next(iter(env)) in done.stderr
