"""Running a Job: progress the page can poll, a file that appears only when complete, a retry after failure.

The work function writes into a temporary file beside the final one; only a finished job renames it into
place (os.replace is atomic), so a worker killed mid-job leaves nothing half-written to download, and the
job can simply be run again.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from tqr.core.models import Job

logger = logging.getLogger(__name__)
WORKERS: dict[str, Callable] = {}  # kind → function(job, out_file, progress) registered by the apps


def register(kind: str):
    def decorate(function):
        WORKERS[kind] = function
        return function

    return decorate


def job_create(*, kind: str, label: str, owner, params: dict) -> Job:
    from tqr.audit.services import record

    job = Job.objects.create(kind=kind, label=label, owner=owner, params=params)
    record("job.create", actor=owner, obj=job, data={"kind": kind, "params": params})
    return job


def job_start(*, kind: str, label: str, owner, params: dict, filename: str) -> Job:
    """Create a job and queue it on the task backend (the database worker, or Redis when scaled out)."""
    from tqr.applications.tasks import run_job

    job = job_create(kind=kind, label=label, owner=owner, params=params)
    Job.objects.filter(pk=job.pk).update(filename=filename)
    run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def run(job_id) -> None:
    """Run one job to its end (called by the task worker). Safe to call again after a crash."""
    job = Job.objects.get(pk=job_id)
    if job.status == Job.Status.DONE:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=0, error="", attempts=F("attempts") + 1)
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    final_name = f"jobs/{job.pk}{Path(job.filename or 'out.bin').suffix}"
    temporary = folder / f".{job.pk}.{uuid.uuid4().hex}.part"

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        with open(temporary, "wb") as out:
            WORKERS[job.kind](job, out, progress)
        os.replace(temporary, Path(settings.MEDIA_ROOT) / final_name)
    except Exception as exc:  # the page says why; the operator's log has the traceback
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        temporary.unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500],
                                             finished_at=timezone.now())
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, file=final_name, finished_at=timezone.now())
