"""Running a Job: progress the page can poll, a file that appears only when complete, a retry after failure.

The work function writes into a temporary file beside the final one; only a finished job renames it into
place (os.replace is atomic), so a worker killed mid-job leaves nothing half-written to download, and the
job can simply be run again.

Each run claims the job (QUEUED → RUNNING, `attempts` + 1) and every later write is conditional on still
holding that attempt, so a run that was given up for dead and re-queued cannot finish the job a second time:
one file, one DONE, one `job.done` audit row. A worker that dies leaves its job RUNNING with a heartbeat that
stops moving; `recover_stale_jobs` (scheduled, see tqr.core.apps) queues it again.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tqr.core.models import Job

logger = logging.getLogger(__name__)
WORKERS: dict[str, Callable] = {}  # kind → function(job, out_file, progress) registered by the apps
# The audit log's "who" for what a worker does on nobody's click.
WORKER_USERNAME = "（后台任务）"  # i18n: data (the audit row's username: the log reads the same for every reader)


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


def job_enqueue(job: Job) -> None:
    """Hand the job to the task backend (the database worker, or Redis when scaled out).

    After the caller's transaction commits: an RQ worker on another machine must find the Job row. The
    immediate backend (tests) runs the job in the caller's transaction, as it always has.
    """
    from django_tasks.backends.immediate import ImmediateBackend

    from tqr.applications.tasks import run_job

    if isinstance(run_job.get_backend(), ImmediateBackend):
        run_job.enqueue(str(job.pk))
    else:
        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))


def job_start(*, kind: str, label: str, owner, params: dict, filename: str) -> Job:
    """Create a job and queue it on the task backend."""
    job = job_create(kind=kind, label=label, owner=owner, params=params)
    Job.objects.filter(pk=job.pk).update(filename=filename)
    job_enqueue(job)
    job.refresh_from_db()
    return job


def job_retry(*, job: Job, actor) -> bool:
    """A failed job is queued again (the page's 重试 button). False when it had not failed."""
    from tqr.audit.services import record

    if not Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(status=Job.Status.QUEUED, error=""):
        return False
    record("job.retry", actor=actor, obj=job, data={"kind": job.kind})
    job_enqueue(job)
    return True


def _final_name(job: Job, attempt: int) -> str:
    # One name per attempt: a run that lost its claim can never overwrite the file the winner points to.
    return f"jobs/{job.pk}-{attempt}{Path(job.filename or 'out.bin').suffix}"


def run(job_id) -> None:
    """Run one job to its end (called by the task worker). Safe to call again, and twice at once."""
    from tqr.audit.services import record

    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, done=0, error="", attempts=F("attempts") + 1, heartbeat_at=now):
        logger.info("job %s is not queued (done, failed or taken by another worker): nothing to do", job_id)
        return
    job = Job.objects.get(pk=job_id)
    attempt = job.attempts
    mine = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=attempt)
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    final_name = _final_name(job, attempt)
    temporary = folder / f".{job.pk}.{uuid.uuid4().hex}.part"

    def progress(done: int, total: int) -> None:
        mine.update(done=done, total=total, heartbeat_at=timezone.now())

    try:
        with open(temporary, "wb") as out:
            WORKERS[job.kind](job, out, progress)
        os.replace(temporary, Path(settings.MEDIA_ROOT) / final_name)
    except Exception as exc:  # the page says why; the operator's log has the traceback
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        temporary.unlink(missing_ok=True)
        error = f"{type(exc).__name__}: {exc}"[:500]
        if mine.update(status=Job.Status.FAILED, error=error, finished_at=timezone.now()):
            record("job.failed", obj=job, username=WORKER_USERNAME, result="failure",
                   data={"kind": job.kind, "attempt": attempt, "error": error})
        return
    if mine.update(status=Job.Status.DONE, file=final_name, finished_at=timezone.now()):
        job.refresh_from_db()
        record("job.done", obj=job, username=WORKER_USERNAME,
               data={"kind": job.kind, "attempt": attempt, "done": job.done, "total": job.total})
    else:  # given up for dead and re-run meanwhile: the other run's file is the one
        logger.warning("job %s attempt %s finished after losing its claim; its file is dropped", job.pk, attempt)
        (Path(settings.MEDIA_ROOT) / final_name).unlink(missing_ok=True)


def recover_stale_jobs(now: datetime) -> str:
    """Queue again the jobs whose worker died: RUNNING, and no heartbeat for TQR_JOB_STALE_MINUTES."""
    from tqr.audit.services import record

    cutoff = now - timedelta(minutes=settings.TQR_JOB_STALE_MINUTES)
    requeued = 0
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)  # null: before 0002
    for job in Job.objects.filter(silent, status=Job.Status.RUNNING):
        # Claim on the attempt we saw: if that run moved on or finished since, leave it alone.
        if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts,
                                  heartbeat_at=job.heartbeat_at).update(status=Job.Status.QUEUED):
            continue
        for part in (Path(settings.MEDIA_ROOT) / "jobs").glob(f".{job.pk}.*.part"):
            part.unlink(missing_ok=True)  # the dead run's half file
        record("job.requeue", obj=job, username=WORKER_USERNAME,
               data={"kind": job.kind, "attempt": job.attempts, "done": job.done, "total": job.total,
                     "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None})
        job_enqueue(job)
        requeued += 1
    return f"重新排队 {requeued} 个中断的后台任务" if requeued else "没有中断的后台任务"  # i18n: data (run_schedule console log)
