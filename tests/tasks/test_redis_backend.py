"""TQR_TASKS_BACKEND=redis: a job queued through django-tasks-rq and run by an RQ worker (in-process, burst).

Uses Redis database 5 on this machine (or TQR_REDIS_URL). Without a reachable Redis the test is skipped
with a loud reason; `.ci/run` sets TQR_REQUIRE_REDIS=true so that CI fails instead.
"""

from __future__ import annotations

import os

import pytest

from tests.applications.test_school import submitted
from tqr.core.jobs import job_start

pytestmark = pytest.mark.django_db(transaction=True)
REDIS_URL = os.environ.get("TQR_REDIS_URL") or "redis://127.0.0.1:6379/5"


@pytest.fixture
def rq_queue(settings):
    import django_rq
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        reason = f"REDIS NOT REACHABLE at {REDIS_URL} ({exc}): the redis task backend is NOT tested"
        if os.environ.get("TQR_REQUIRE_REDIS") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    queue = django_rq.get_queue("default")
    queue.empty()  # what an earlier, interrupted run left behind
    yield queue
    queue.empty()


def test_the_settings_select_the_rq_backend_by_name():
    import subprocess
    import sys

    from django.conf import settings

    env = {**os.environ, "TQR_TASKS_BACKEND": "redis", "TQR_REDIS_URL": REDIS_URL}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s;"
                          "print(s.TASKS['default']['BACKEND'], 'django_rq' in s.INSTALLED_APPS)"],
                         cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "tqr.settings"},
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["django_tasks_rq.RQBackend", "True"], out.stderr


def test_an_rq_worker_runs_a_queued_batch_job(world, client_for, rq_queue):
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    submitted(world, client_for)
    job = job_start(kind="school_proofs", label="考核鉴定表（批量）", owner=world.admin_a,
                    params={"round": world.round_a.pk, "unit": world.school_a.pk}, filename="考核鉴定表.pdf")
    assert job.status == "queued" and rq_queue.count == 1  # in Redis, not run in the request
    SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=RQJob).work(burst=True)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts) == ("done", 1, 1, 1)
    with job.file.open("rb") as f:
        assert f.read(4) == b"%PDF"
