"""A background job's page: progress while it runs (htmx polls it), the download when done, retry on failure."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tqr.accounts.permissions import get_visible_or_404
from tqr.audit.services import record
from tqr.core.downloads import attachment_response
from tqr.core.jobs import job_retry as job_retry_service
from tqr.core.models import Job


def _own(request, job_id):
    # A job is its owner's alone: anybody else gets a 404.
    return get_visible_or_404(request, Job.objects.filter(owner=request.user), pk=job_id)


@login_required
@require_GET
def job_detail(request, job_id):
    job = _own(request, job_id)
    template = "core/_job_status.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def job_download(request, job_id):
    job = _own(request, job_id)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    record("file.download", obj=job, data={"kind": job.kind})
    content_type = {".pdf": "application/pdf", ".zip": "application/zip",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}.get(
        Path(job.filename or "").suffix.lower(), "application/octet-stream")
    return attachment_response(FileResponse(job.file.open("rb"), content_type=content_type),
                               job.filename or "download.bin")


@login_required
@require_POST
def job_retry(request, job_id):
    job = _own(request, job_id)
    job_retry_service(job=job, actor=request.user)
    return redirect("job_detail", job_id=job.pk)
