"""List exports above TQR_EXPORT_SYNC_ROWS rows run as a background job; smaller ones stay in the request."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from tests.reviews.helpers import confirmed, move_to
from tqr.core.models import Job
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_of_two(world):
    confirmed(world, world.teacher_a1)
    confirmed(world, world.teacher_a2, hours=300)
    move_to(world, Phase.INITIAL_REVIEW)


def names(xlsx: bytes) -> list[str]:
    return [r[1] for r in CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_index(0).to_python()[3:]]


def test_a_small_review_queue_export_is_answered_at_once(world, client_for, queue_of_two):
    response = client_for("reviewer_d1").get(f"/reviews/{world.round_a.pk}/?format=xlsx")
    assert response.status_code == 200 and sorted(names(response.content)) == ["张三", "李四"]
    assert not Job.objects.exists()


def test_a_large_review_queue_export_runs_as_a_job_with_the_same_filters(world, client_for, queue_of_two, settings):
    settings.TQR_EXPORT_SYNC_ROWS = 1
    reviewer = client_for("reviewer_d1")
    response = reviewer.get(f"/reviews/{world.round_a.pk}/?proposal=deferred&q=李&format=xlsx&page=2")
    assert names(response.content) == ["李四"]  # one row after the filters: still in the request
    response = reviewer.get(f"/reviews/{world.round_a.pk}/?format=xlsx&page=2")
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.owner, job.params) == ("review_queue_xlsx", world.reviewer_d1, {"round": world.round_a.pk,
                                                                                          "filters": {}})
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    body = b"".join(reviewer.get(f"/jobs/{job.pk}/download/").streaming_content)
    assert sorted(names(body)) == ["张三", "李四"]
    assert client_for("reviewer_d2").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_job_asks_the_owners_scope_again_when_it_runs(world, client_for, queue_of_two, settings):
    from tqr.core.jobs import job_start

    job = job_start(kind="review_queue_xlsx", label="初审名单", owner=world.reviewer_d2,  # another district
                    params={"round": world.round_a.pk, "filters": {}}, filename="x.xlsx")
    job.refresh_from_db()
    assert job.status == "failed" and "无权" in job.error and not job.file


def test_a_large_audit_log_export_runs_as_a_job_and_holds_the_rows_of_the_moment_it_was_asked(world, client_for,
                                                                                             settings):
    from tqr.audit.services import record

    settings.TQR_EXPORT_SYNC_ROWS = 1
    for who in ("mallory", "mallory", "alice"):
        record("login.failed", username=who, result="fail")
    auditor = client_for("auditor")
    response = auditor.get("/audit/", {"username": "mallory", "format": "xlsx"})
    job = Job.objects.get(kind="audit_xlsx")
    assert response["Location"] == f"/jobs/{job.pk}/" and job.owner == world.auditor
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    body = b"".join(auditor.get(f"/jobs/{job.pk}/download/").streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    assert [r[2] for r in sheet[3:] if any(r)] == ["mallory", "mallory"]
    record("login.failed", username="mallory", result="fail")  # written after the request: not in a re-run
    Job.objects.filter(pk=job.pk).update(status="queued")
    from tqr.core.jobs import run

    run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.total) == ("done", 2)
