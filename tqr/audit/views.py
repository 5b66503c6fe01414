"""Reading the audit log (审计日志): the auditor's page, its filters and its exports.

Only the 审计管理员 reads it (`audit.read`); the system administrator is refused like anyone else, and no
role can change it (tqr.audit.models, and the PostgreSQL trigger of migration 0002).
"""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tqr.accounts.models import Role
from tqr.accounts.permissions import require
from tqr.audit import chain, exports
from tqr.audit.models import AuditEvent
from tqr.audit.services import record
from tqr.core.downloads import attachment_response
from tqr.core.jobs import job_start
from tqr.documents.xlsx import XLSX_TYPE

PAGE_SIZE = 100
ROLE_LABELS = dict(Role.choices)
XLSX_MAX_ROWS = 100_000  # beyond that, the JSON lines export (streamed) is the tool


class AuditFilter(forms.Form):
    start = forms.DateField(label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("到（含）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(label=_("账号"), required=False, max_length=150)
    action = forms.CharField(label=_("操作（前缀）"), required=False, max_length=64,
                             help_text=_("如 login 或 application.confirm"))
    result = forms.ChoiceField(label=_("结果"), required=False,
                               choices=[("", _("全部")), *AuditEvent.Result.choices])
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    request_id = forms.CharField(label=_("请求编号"), required=False, max_length=32)

    def events(self) -> QuerySet[AuditEvent]:
        """The rows matching the filters, newest first: all rows when none is given, none when a filter
        is invalid (so that an export never silently ignores a filter)."""
        qs = AuditEvent.objects.all()
        if self.is_bound and not self.is_valid():
            return qs.none()
        f = self.cleaned_data if self.is_bound else {}
        zone = timezone.get_current_timezone()
        if f.get("start"):
            qs = qs.filter(ts__gte=dt.datetime.combine(f["start"], dt.time.min, tzinfo=zone))
        if f.get("end"):
            qs = qs.filter(ts__lt=dt.datetime.combine(f["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
        if f.get("username"):
            qs = qs.filter(username__icontains=f["username"].strip())
        if f.get("action"):
            qs = qs.filter(action__startswith=f["action"].strip())
        for exact in ("result", "object_type", "object_id", "request_id"):
            if f.get(exact):
                qs = qs.filter(**{exact: f[exact].strip()})
        return qs.order_by("-id")


def _query_without(request, *keys) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


@login_required
@require_GET
def audit_log(request):
    require(request, "audit.read")
    form = AuditFilter(request.GET or None)
    events = form.events()
    export = request.GET.get("format")
    if export == "jsonl":
        return _jsonl(request, events)
    if export == "xlsx":
        return _xlsx(request, events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.role_label = ROLE_LABELS.get(event.role, event.role)
        event.data_text = json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else ""
    return render(request, "audit/log.html", {
        "form": form, "page": page, "query": _query_without(request, "page", "format"),
        "retention_days": settings.TQR_AUDIT_RETENTION_DAYS,
    })


def _jsonl(request, events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    """For the log server: one JSON line per row, oldest first, with both hashes (tqr.audit.chain)."""
    record("audit.export", data={"format": "jsonl", "filters": _filters(request)})
    lines = (chain.as_line(row) + "\n" for row in chain.stream(events))
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
    return attachment_response(response, f"audit-{timezone.localdate():%Y%m%d}.jsonl")


def _xlsx(request, events: QuerySet[AuditEvent]):
    total = events.count()
    if total > XLSX_MAX_ROWS:
        messages.error(request, _("符合条件的记录有 %(n)s 条，Excel 最多导出 %(max)s 条：请缩小时间范围，或导出 JSON 行格式。")
                       % {"n": total, "max": XLSX_MAX_ROWS})
        return redirect(f"{request.path}?{_query_without(request, 'format')}")
    record("audit.export", data={"format": "xlsx", "filters": _filters(request), "rows": total})
    if total > settings.TQR_EXPORT_SYNC_ROWS:  # too long for a request: the job page shows the progress
        job = job_start(kind="audit_xlsx", label=gettext("审计日志导出（%(count)s 条）") % {"count": total}, owner=request.user,
                        params={"filters": _filters(request), "until_id": events.values_list("id", flat=True)[0]},
                        filename=exports.filename())
        return redirect("job_detail", job_id=job.pk)
    return attachment_response(HttpResponse(exports.audit_xlsx(events), content_type=XLSX_TYPE), exports.filename())


def _filters(request) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if k not in ("format", "page") and v}
