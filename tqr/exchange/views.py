"""Data-exchange pages for district staff: sources and their mapping, upload → preview → commit, the
import history, the export layout and the export of a round's conclusions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts.permissions import deny, get_visible_or_404, require, visible_data_sources, visible_rounds
from tqr.core.downloads import attachment_response
from tqr.exchange import exporting, importing
from tqr.exchange.forms import LayoutForm, SourceForm, UploadForm
from tqr.exchange.models import DataSource, ImportRun
from tqr.exchange.services import source_save
from tqr.teachers import imports

SHOWN_PROBLEMS = 2000


def _district(request):
    """The district the user works for; 403 (audited) for anyone who is not district staff."""
    require(request, "exchange.manage", request.user.organisation)
    return request.user.organisation


def _source(request, source_id: int) -> DataSource:
    _district(request)
    return get_visible_or_404(request, visible_data_sources(request.user), pk=source_id)


@login_required
@require_GET
def exchange_home(request):
    district = _district(request)
    rounds = visible_rounds(request.user).filter(district=district).order_by("-year")[:5]
    return render(request, "exchange/home.html", {
        "district": district, "sources": visible_data_sources(request.user), "rounds": rounds,
        "runs": ImportRun.objects.filter(source__district=district).select_related("source", "actor")[:10],
        "layout": exporting.layout_for(district),
    })


@login_required
@require_http_methods(["GET", "POST"])
def exchange_source_new(request):
    district = _district(request)
    form = SourceForm(request.POST or None, instance=DataSource(district=district))
    if request.method == "POST" and form.is_valid():
        source = source_save(source=form.save(commit=False), actor=request.user)
        messages.success(request, _("已保存数据来源“%(name)s”。") % {"name": source.name})
        return redirect("exchange_home")
    return render(request, "exchange/source_form.html", {"form": form, "source": None})


@login_required
@require_http_methods(["GET", "POST"])
def exchange_source_edit(request, source_id: int):
    source = _source(request, source_id)
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        source_save(source=form.save(commit=False), actor=request.user)
        messages.success(request, _("已保存数据来源“%(name)s”的列对照。") % {"name": source.name})
        return redirect("exchange_home")
    return render(request, "exchange/source_form.html", {"form": form, "source": source})


def _render_preview(request, source, preview, token, *, status=200):
    problems = preview.problems
    return render(request, "exchange/preview.html", {
        "source": source, "preview": preview, "token": token, "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": len(problems), "hidden_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "large": preview.row_count > settings.TQR_IMPORT_SYNC_ROWS,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def exchange_import(request, source_id: int):
    """Step 1: upload, then the preview with every problem; the commit button only for a clean file."""
    source = _source(request, source_id)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                preview, token, _run = importing.exchange_upload(source=source, upload=form.cleaned_data["file"],
                                                                 actor=request.user)
            except imports.ImportRefused as exc:
                form.add_error("file", exc.message)
            else:
                return _render_preview(request, source, preview, token)
    return render(request, "exchange/import.html", {"source": source, "form": form,
                                                    "columns": importing.source_columns(source)})


@login_required
@require_POST
def exchange_import_commit(request, source_id: int, token: str):
    """Step 2: write the previewed file, all or nothing (a large one through a background job)."""
    source = _source(request, source_id)
    try:
        run, job = importing.exchange_commit_upload(source=source, token=token, actor=request.user)
    except imports.UploadNotFound as exc:
        if exc.foreign:  # another user's upload: as if it did not exist, and audited
            deny(request.user, "exchange.manage", None, request.path, 404)
        raise Http404 from exc
    except importing.ExchangeRejected as exc:
        messages.error(request, exc.message)
        return _render_preview(request, source, exc.preview, None, status=409)
    except imports.ImportRefused as exc:
        messages.error(request, exc.message)
        return redirect("exchange_import", source_id=source.pk)
    if job is not None:
        return redirect("job_detail", job_id=job.pk)
    if run.created or run.changed:
        messages.success(request, _("导入完成：新增 %(created)s 条、更新 %(changed)s 条、未变化 %(unchanged)s 条。") % {
            "created": run.created, "changed": run.changed, "unchanged": run.unchanged})
    else:
        messages.success(request, _("导入完成：所有记录与系统中一致，没有任何变化。"))
    return redirect("exchange_runs")


@login_required
@require_GET
def exchange_runs(request):
    district = _district(request)
    runs = ImportRun.objects.filter(source__district=district).select_related("source", "actor")[:200]
    return render(request, "exchange/runs.html", {"runs": runs})


@login_required
@require_http_methods(["GET", "POST"])
def exchange_layout(request):
    district = _district(request)
    layout = exporting.layout_for(district)
    if request.method == "POST" and request.POST.get("reset"):
        exporting.layout_reset(district=district, actor=request.user)
        messages.success(request, _("已恢复默认导出列。"))
        return redirect("exchange_layout")
    form = LayoutForm(request.POST or None, initial={
        "columns": exporting.columns_text(layout), "date_format": layout.date_format,
        "csv_encoding": layout.csv_encoding})
    if request.method == "POST" and form.is_valid():
        exporting.layout_save(district=district, columns=form.cleaned_data["columns"],
                              date_format=form.cleaned_data["date_format"],
                              csv_encoding=form.cleaned_data["csv_encoding"], actor=request.user)
        messages.success(request, _("已保存导出列设置。"))
        return redirect("exchange_layout")
    return render(request, "exchange/layout.html", {"form": form, "layout": layout, "fields": exporting.FIELDS})


@login_required
@require_GET
def exchange_export(request, round_id: int):
    """The page with the round's export buttons; ?format=xlsx|csv downloads (full IDs, audited)."""
    round_ = get_visible_or_404(request, visible_rounds(request.user), pk=round_id)
    require(request, "exchange.export", round_)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        body, filename, content_type = exporting.export_conclusions(round_=round_, actor=request.user, fmt=fmt)
        response = attachment_response(HttpResponse(body, content_type=content_type), filename)
        response["Cache-Control"] = "no-store, private"
        return response
    layout = exporting.layout_for(round_.district)
    return render(request, "exchange/export.html", {
        "round": round_, "layout": layout, "count": exporting.conclusion_count(round_)})
