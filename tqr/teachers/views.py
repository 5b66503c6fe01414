"""Teacher data pages: the two-step Excel import (upload → preview → commit) and its template."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.permissions import deny, require, visible_units
from tqr.core.downloads import attachment_response
from tqr.core.models import Job
from tqr.documents.xlsx import XLSX_TYPE
from tqr.teachers import imports
from tqr.teachers.import_template import TEMPLATE_FILENAME

# Problems shown on the page; a file with more has a systematic fault that the first ones reveal.
SHOWN_PROBLEMS = 2000


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("不超过 10 MB；请使用导入模板，身份证号码等列须为文本格式"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _summary(counts: dict) -> list[dict]:
    return [{"label": label, **counts[kind]} for kind, label in imports.COUNT_LABELS.items() if kind in counts]


def _render_preview(request, preview: imports.ImportPreview, token: str | None, *, status: int = 200):
    problems = preview.problems
    return render(request, "teachers/import_preview.html", {
        "preview": preview, "token": token, "summary": _summary(preview.counts), "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": len(problems), "hidden_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "large": preview.row_count > settings.TQR_IMPORT_SYNC_ROWS,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def teacher_import(request):
    """Step 1: upload, then the preview with every problem; the commit button only for a clean file."""
    require(request, "teacher.import")
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                preview, token = imports.import_upload(upload=form.cleaned_data["file"], actor=request.user)
            except imports.ImportRefused as exc:
                form.add_error("file", exc.message)
            else:
                return _render_preview(request, preview, token)
    return render(request, "teachers/import.html", {"form": form, "units": visible_units(request.user).order_by("code")})


@login_required
@require_POST
def teacher_import_commit(request, token: str):
    """Step 2: write the previewed file, all or nothing."""
    require(request, "teacher.import")
    try:
        result = imports.import_commit_or_queue(token=token, actor=request.user)
    except imports.UploadNotFound as exc:
        if exc.foreign:  # another user's upload: as if it did not exist, and audited
            deny(request.user, "teacher.import", None, request.path, 404)
        raise Http404 from exc
    except imports.ImportRejected as exc:
        messages.error(request, exc.message)
        return _render_preview(request, exc.preview, None, status=409)
    except imports.ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect("teacher_import")
    if isinstance(result, Job):  # a large file: committed in the background, its page shows the progress
        return redirect("job_detail", job_id=result.pk)
    if result.created or result.changed:
        messages.success(request, gettext("导入完成：新增 %(created)s 条、更新 %(changed)s 条、未变化 %(unchanged)s 条记录。")
                         % result.as_dict())
    else:
        messages.success(request, gettext("导入完成：所有记录与系统中一致，没有任何变化。"))
    return redirect("teacher_import")


@login_required
@require_GET
def teacher_import_template(request):
    """The template, with the importer's own unit in the example row so that it imports as it is."""
    require(request, "teacher.import")
    return attachment_response(
        HttpResponse(imports.import_template_for(request.user), content_type=XLSX_TYPE), TEMPLATE_FILENAME
    )
