"""Done when: killing the worker during a batch PDF job and starting it again finishes the job once.

A real `manage.py db_worker` runs as a subprocess against a database it shares with this test (PostgreSQL:
the test database itself; SQLite: a file copy of the in-memory test database, copied back to check). It is
SIGKILLed in the middle of a school's batch of 考核鉴定表; then the recovery (`run_schedule --only
jobs.recover`) and a new worker finish the job: one DONE, one complete PDF, one `job.done` audit row.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from tests.tasks.helpers import school_with_applications
from tqr.audit.models import AuditEvent
from tqr.core.jobs import job_start
from tqr.core.models import Job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]
TEACHERS = 150
BASE_DIR = Path(django_settings.BASE_DIR)


class SharedDatabase:
    """The database both this process and the worker subprocess see."""

    def __init__(self, folder: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.file = folder / "shared.sqlite3"

    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def push(self) -> None:
        """This process's data → the worker's database (SQLite only; PostgreSQL is already shared)."""
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def pull(self) -> None:
        """The worker's database → this process, to check it through the ORM and the pages."""
        if self.sqlite:
            connection.ensure_connection()
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def job_row(self, job_id) -> tuple[str, int, int]:
        if self.sqlite:
            with sqlite3.connect(self.file, timeout=10) as c:
                return c.execute("SELECT status, done, total FROM core_job WHERE id = ?", (job_id.hex,)).fetchone()
        return tuple(Job.objects.filter(pk=job_id).values_list("status", "done", "total").get())


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(manage("db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"),
                            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_a_worker_killed_mid_batch_finishes_the_job_once_after_a_restart(world, client_for, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    school_with_applications(world, client_for, TEACHERS)
    job = job_start(kind="school_proofs", label="考核鉴定表（批量）", owner=world.admin_a,
                    params={"round": world.round_a.pk, "unit": world.school_a.pk}, filename="考核鉴定表.pdf")
    admin = client_for("admin_a")  # logged in before the copy, so that its session survives the copies back
    shared = SharedDatabase(tmp_path)
    shared.push()
    env = {**os.environ, "DATABASE_URL": shared.url(), "TQR_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "TQR_TASKS_BACKEND": "database", "TQR_CONN_MAX_AGE": "0", "TQR_LOG_LEVEL": "WARNING"}
    folder = settings.MEDIA_ROOT / "jobs"

    first = worker(env)
    try:
        status, done, total = wait_for(lambda: (r := shared.job_row(job.pk)) and r[1] >= 3 and r,
                                       seconds=40, what="the worker to start the batch")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    status, done, total = shared.job_row(job.pk)
    assert status == "running" and 0 < done < total == TEACHERS, "the batch must be killed in the middle"
    visible = [p.name for p in folder.glob(f"*{job.pk}*") if not p.name.startswith(".")]
    assert visible == []  # nothing half-written under a final name
    shared.pull()
    assert admin.get(f"/jobs/{job.pk}/download/").status_code == 404  # and the .part is never served
    assert "生成中" in admin.get(f"/jobs/{job.pk}/").content.decode()

    later = (timezone.now() + timedelta(minutes=settings.TQR_JOB_STALE_MINUTES + 1)).isoformat()
    recovery = subprocess.run(manage("run_schedule", "--only", "jobs.recover", "--now", later),
                              cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert recovery.returncode == 0 and "重新排队 1 个" in recovery.stdout, recovery.stdout + recovery.stderr
    second = worker(env)
    try:
        wait_for(lambda: shared.job_row(job.pk)[0] == "done", seconds=40, what="the restarted worker")
    finally:
        second.terminate()
        second.wait(10)

    shared.pull()
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts) == ("done", TEACHERS, TEACHERS, 2)
    assert sorted(p.name for p in folder.iterdir()) == [Path(job.file.name).name]  # one file, no .part
    pdf = b"".join(admin.get(f"/jobs/{job.pk}/download/").streaming_content)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF") and pages(pdf) == TEACHERS
    actions = AuditEvent.objects.filter(object_id=str(job.pk), action__startswith="job.").order_by("id")
    assert list(actions.values_list("action", flat=True)) == ["job.create", "job.requeue", "job.done"]
