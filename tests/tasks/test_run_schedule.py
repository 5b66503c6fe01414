"""manage.py run_schedule: what is due runs once per interval, one failure stops nothing, and the work the
apps registered (deadlines, retention, recovery of jobs whose worker died) runs through it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from tests.applications.test_school import closing, submitted
from tqr.audit.models import AuditEvent
from tqr.core import schedule
from tqr.core.jobs import job_start
from tqr.core.models import Job, ScheduleRun

pytestmark = pytest.mark.django_db
NOON = datetime.fromisoformat("2026-12-01T12:00+08:00")


@pytest.fixture
def only_these(monkeypatch):
    """Replace the registry's contents for one test (the command holds the same dict)."""

    def install(**functions):
        for name in list(schedule.SCHEDULE):
            monkeypatch.delitem(schedule.SCHEDULE, name)
        for name, (every, function) in functions.items():
            monkeypatch.setitem(schedule.SCHEDULE, name, schedule.ScheduledJob(name, every, function, name))

    return install


def at(moment: datetime, *args: str) -> None:
    call_command("run_schedule", "--now", moment.isoformat(), *args)


def test_the_apps_register_deadlines_retention_and_job_recovery():
    assert {"deadlines", "retention", "jobs.recover"} <= set(schedule.SCHEDULE)
    assert schedule.SCHEDULE["deadlines"].every_minutes == 5
    assert schedule.SCHEDULE["retention"].every_minutes == 24 * 60


def test_it_runs_what_is_due_once_per_interval(only_these, capsys):
    calls = []
    only_these(often=(5, lambda now: calls.append(("often", now)) or "做了"),
               daily=(24 * 60, lambda now: calls.append(("daily", now)) or ""))
    at(NOON)
    assert [name for name, _ in calls] == ["daily", "often"]
    assert "often：完成，做了" in capsys.readouterr().out
    at(NOON + timedelta(minutes=4))  # cron a minute early, or the loop: nothing is due yet
    assert len(calls) == 2
    assert "often：未到时间，跳过" in capsys.readouterr().out
    at(NOON + timedelta(minutes=5))
    assert [name for name, _ in calls[2:]] == ["often"]
    assert ScheduleRun.objects.get(name="often").started_at == NOON + timedelta(minutes=5)


def test_only_and_force_run_one_function_now(only_these):
    calls = []
    only_these(a=(60, lambda now: calls.append("a")), b=(60, lambda now: calls.append("b")))
    at(NOON, "--only", "a")
    at(NOON, "--only", "a", "--force")
    assert calls == ["a", "a"]
    with pytest.raises(CommandError, match="没有名为"):
        at(NOON, "--only", "nope")


def test_a_failure_is_logged_the_others_still_run_and_the_exit_status_says_so(only_these, capsys):
    calls = []

    def broken(now):
        raise RuntimeError("数据库不可用")

    only_these(a_broken=(60, broken), b_fine=(60, lambda now: calls.append("b") or "好"))
    with pytest.raises(CommandError) as failed:
        at(NOON)
    assert failed.value.returncode == 1 and calls == ["b"]
    assert "a_broken：失败，RuntimeError: 数据库不可用" in capsys.readouterr().err
    run = ScheduleRun.objects.get(name="a_broken")
    assert not run.ok and "数据库不可用" in run.summary
    at(NOON + timedelta(minutes=5), "--only", "b_fine")  # not due: b ran at noon
    with pytest.raises(CommandError):
        at(NOON + timedelta(minutes=5), "--only", "a_broken")  # a failed run is tried again after 5 minutes


def test_the_deadlines_run_through_the_schedule_and_only_once(world, client_for,
                                                              django_capture_on_commit_callbacks):
    app = submitted(world, client_for)
    with django_capture_on_commit_callbacks(execute=True):
        at(closing(world), "--only", "deadlines")
    app.refresh_from_db()
    assert app.state == "abandoned"
    audit = AuditEvent.objects.count()
    at(closing(world) + timedelta(minutes=5), "--only", "deadlines")
    assert AuditEvent.objects.count() == audit


def test_retention_runs_through_the_schedule(db):
    at(NOON, "--only", "retention")
    assert ScheduleRun.objects.get(name="retention").summary == "没有到期需要删除的文件"


def stuck_job(world, *, silent_for: timedelta) -> Job:
    from django.utils import timezone

    job = job_start(kind="school_proofs", label="考核鉴定表（批量）", owner=world.admin_a,
                    params={"round": world.round_a.pk, "unit": world.school_a.pk}, filename="x.pdf")
    Job.objects.filter(pk=job.pk).update(status="running", file="", heartbeat_at=timezone.now() - silent_for,
                                         attempts=1)
    return job


def test_a_job_whose_worker_died_is_queued_again_and_finished_once(world, client_for, settings):
    from django.utils import timezone

    submitted(world, client_for)
    dead = stuck_job(world, silent_for=timedelta(minutes=settings.TQR_JOB_STALE_MINUTES + 1))
    alive = stuck_job(world, silent_for=timedelta(minutes=1))
    call_command("run_schedule", "--only", "jobs.recover", "--now", timezone.now().isoformat())
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.attempts, dead.done, dead.total) == ("done", 2, 1, 1)  # the tests' tasks run at once
    assert alive.status == "running"  # still beating: left alone
    assert AuditEvent.objects.filter(object_id=str(dead.pk), action="job.requeue").count() == 1
    assert not AuditEvent.objects.filter(object_id=str(alive.pk), action="job.requeue").exists()
