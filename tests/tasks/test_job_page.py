"""The job's page: a failed job says why and its retry works; a run that lost its claim finishes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.applications.test_school import submitted
from tqr.audit.models import AuditEvent
from tqr.core import jobs
from tqr.core.models import Job

pytestmark = pytest.mark.django_db


def start(world) -> Job:
    return jobs.job_start(kind="school_proofs", label="考核鉴定表（批量）", owner=world.admin_a,
                          params={"round": world.round_a.pk, "unit": world.school_a.pk}, filename="考核鉴定表.pdf")


def test_a_failed_job_says_why_and_the_retry_finishes_it(world, client_for, monkeypatch):
    submitted(world, client_for)
    original = jobs.WORKERS["school_proofs"]

    def no_fonts(job, out, progress):
        raise OSError("字体文件缺失")

    monkeypatch.setitem(jobs.WORKERS, "school_proofs", no_fonts)
    job = start(world)
    admin = client_for("admin_a")
    page = admin.get(f"/jobs/{job.pk}/").content.decode()
    assert "失败" in page and "字体文件缺失" in page and "重试" in page
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="job.failed", result="failure").count() == 1
    assert client_for("admin_b").post(f"/jobs/{job.pk}/retry/").status_code == 404  # not theirs
    monkeypatch.setitem(jobs.WORKERS, "school_proofs", original)
    assert admin.post(f"/jobs/{job.pk}/retry/")["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == ("done", "", 2)
    assert "下载" in admin.get(f"/jobs/{job.pk}/").content.decode()
    admin.post(f"/jobs/{job.pk}/retry/")  # retrying a finished job does nothing
    job.refresh_from_db()
    assert job.attempts == 2
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="job.retry").count() == 1


def test_the_api_retries_a_failed_job_as_the_page_does(world, client_for, monkeypatch):
    submitted(world, client_for)
    original = jobs.WORKERS["school_proofs"]

    def broken(job, out, progress):
        raise OSError("字体文件缺失")

    monkeypatch.setitem(jobs.WORKERS, "school_proofs", broken)
    job = start(world)
    admin = client_for("admin_a")
    assert admin.get(f"/api/v1/jobs/{job.pk}").json()["error"].endswith("字体文件缺失")
    assert client_for("admin_b").post(f"/api/v1/jobs/{job.pk}/retry").status_code == 404
    monkeypatch.setitem(jobs.WORKERS, "school_proofs", original)
    response = admin.post(f"/api/v1/jobs/{job.pk}/retry")
    assert response.status_code == 202 and response.json()["status"] == "done"
    again = admin.post(f"/api/v1/jobs/{job.pk}/retry")
    assert again.status_code == 409 and again.json()["detail"] == "只有失败的任务可以重试"
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="job.retry").count() == 1


def test_a_run_given_up_for_dead_does_not_finish_the_job_again(world, client_for, monkeypatch):
    submitted(world, client_for)
    original = jobs.WORKERS["school_proofs"]

    def overtaken(job, out, progress):
        original(job, out, progress)
        # Meanwhile the job was re-queued and a newer attempt owns it.
        Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 5)

    monkeypatch.setitem(jobs.WORKERS, "school_proofs", overtaken)
    job = start(world)
    job.refresh_from_db()
    assert job.status == "running" and not job.file
    assert not [p for p in (Path(job.file.storage.location) / "jobs").glob(f"*{job.pk}*")]
    assert not AuditEvent.objects.filter(object_id=str(job.pk), action="job.done").exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_reaches_a_real_queue_only_when_the_callers_transaction_commits(world, settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        job = start(world)
        assert not DBTaskResult.objects.exists()  # a worker elsewhere could not find the job yet
    assert DBTaskResult.objects.get().args_kwargs["args"] == [str(job.pk)]
    assert Job.objects.get(pk=job.pk).status == "queued"
