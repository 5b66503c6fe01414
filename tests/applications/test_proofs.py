"""School-issued proofs (附件2 考核鉴定表): one teacher's PDF, and the school's batch as a background job."""

import re
from pathlib import Path

import pytest

from tests.applications.test_school import submitted, tick_all
from tqr.applications.services import application_transition
from tqr.core import jobs
from tqr.core.models import Job

pytestmark = pytest.mark.django_db


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_school_downloads_one_teachers_form(world, client_for):
    app = submitted(world, client_for)
    response = client_for("admin_a").get(f"/school/applications/{app.pk}/assessment.pdf")
    assert response.status_code == 200 and pages(response.content) == 1
    assert client_for("admin_b").get(f"/school/applications/{app.pk}/assessment.pdf").status_code == 404
    assert client_for("t_a1").get(f"/school/applications/{app.pk}/assessment.pdf").status_code == 403


def test_the_batch_is_built_in_the_background_with_progress_and_downloaded(world, client_for):
    first = submitted(world, client_for)
    application_transition(application=tick_all(first, world), action="confirm", actor=world.admin_a)
    submitted(world, client_for, "t_a2", world.teacher_a2)
    admin = client_for("admin_a")
    response = admin.post(f"/school/{world.round_a.pk}/proofs/")
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    page = admin.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and "下载" in page
    pdf = b"".join(admin.get(f"/jobs/{job.pk}/download/").streaming_content)
    assert pages(pdf) == 2
    assert client_for("admin_b").get(f"/jobs/{job.pk}/").status_code == 404  # a job is its owner's


def test_a_job_killed_mid_way_leaves_no_file_and_finishes_once_when_run_again(world, client_for, monkeypatch):
    submitted(world, client_for)
    calls = {"n": 0}
    original = jobs.WORKERS["school_proofs"]

    def dies_the_first_time(job, out, progress):
        calls["n"] += 1
        if calls["n"] == 1:
            out.write(b"%PDF-1.4 half a file")
            raise SystemError("worker killed")
        original(job, out, progress)

    monkeypatch.setitem(jobs.WORKERS, "school_proofs", dies_the_first_time)
    client_for("admin_a").post(f"/school/{world.round_a.pk}/proofs/")
    job = Job.objects.get()
    assert job.status == "failed" and "worker killed" in job.error and not job.file
    folder = Path(job.file.storage.location) / "jobs"
    assert not list(folder.glob(f"*{job.pk}*"))  # nothing half-written is visible
    assert client_for("admin_a").get(f"/jobs/{job.pk}/download/").status_code == 404
    client_for("admin_a").post(f"/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2 and calls["n"] == 2
    jobs.run(job.pk)  # running a finished job again changes nothing
    job.refresh_from_db()
    assert job.attempts == 2


def test_no_batch_without_applications(world, client_for):
    response = client_for("admin_a").post(f"/school/{world.round_a.pk}/proofs/", follow=True)
    assert "暂无可出具的考核鉴定表" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(world, client_for, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    submitted(world, client_for)
    client_for("admin_a").post(f"/school/{world.round_a.pk}/proofs/")
    job = Job.objects.get()
    assert job.status == "queued"  # nothing runs in the request: the worker does it
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == "done" and job.file
