"""注册状态查询 pages: the public lookup (one certificate, rate-limited, noindex) and the employer's batch.

The public lookup is a POST so that names never land in server logs, browser history or a Referer. Its
answer for an unknown number and for a wrong name is the same page, byte for byte but the CSRF token.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tqr.accounts.permissions import require
from tqr.core.downloads import attachment_response
from tqr.core.middleware import client_ip
from tqr.core.rules_text import rule_text
from tqr.documents.xlsx import XLSX_TYPE
from tqr.lookup import batch_file, services
from tqr.rules.identifiers import validate_certificate_number


def clean_certificate_number(value: str) -> str:
    """A ValidationError with the identifier rules' message when the text cannot be a certificate number."""
    issues = validate_certificate_number(value, field=None)
    if issues:
        raise ValidationError(rule_text(issues[0]))
    return value


class LookupForm(forms.Form):
    certificate_number = forms.CharField(
        label=_("教师资格证书号码"), max_length=services.MAX_NUMBER_LENGTH,
        help_text=_("17 位数字（旧版证书为 15 位），见证书内页"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=services.MAX_NAME_LENGTH,
                           help_text=_("持证人姓名，与证书一致"),
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_certificate_number(self):
        return clean_certificate_number(self.cleaned_data["certificate_number"])


def _public(response: HttpResponse) -> HttpResponse:
    # Not for search engines; not for any cache either: the page carries a CSRF token and an answer.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    # No Referrer-Policy "no-referrer" here: browsers then send "Origin: null" and the CSRF check refuses.
    return response


def _throttled(request) -> HttpResponse:
    response = render(request, "reviews/public_throttled.html", status=429)
    response["Retry-After"] = str(services.PUBLIC_LIMITS[0][1])
    return _public(response)


@require_http_methods(["GET", "POST"])
def status_lookup(request):
    """GET: the form. POST: the answer (已注册/暂缓注册/不合格/未查询到注册信息) and the form again, empty."""
    if request.method == "GET":
        return _public(render(request, "lookup/status.html", {"form": LookupForm()}))
    if not services.public_lookup_allowed(client_ip(request)):
        return _throttled(request)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _public(render(request, "lookup/status.html", {"form": form}, status=400))
    result = services.lookup(form.cleaned_data["certificate_number"], form.cleaned_data["name"])
    return _public(render(request, "lookup/status.html", {"form": LookupForm(), "answered": True, "result": result}))


# --- The batch ------------------------------------------------------------------------------------------


class BatchForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件（.xlsx 或 .csv）"),
        help_text=_("第一行为表头「教师资格证书号码」「姓名」，从第二行起每行一人，最多 500 人；"
                    "证书号码列须为文本格式"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _rows_from_post(text: str) -> list[services.BatchRow] | None:
    """The rows a result page sends back for its Excel download; None when they are not what it sends."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list) or len(data) > services.MAX_BATCH_ROWS:
        return None
    rows = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], int)
                and all(isinstance(v, str) and len(v) <= 200 for v in item[1:])):
            return None
        rows.append(services.BatchRow(*item))
    return rows


def _batch_page(request, form, *, lines=None, problem: str = "", status: int = 200):
    context = {"form": form, "problem": problem, "max_rows": services.MAX_BATCH_ROWS}
    if lines is not None:
        context |= {"lines": lines, "counts": _counts(lines),
                    "rows_json": json.dumps([[x.row, x.certificate_number, x.name] for x in lines],
                                            ensure_ascii=False)}
    return render(request, "lookup/batch.html", context, status=status)


def _counts(lines) -> list[tuple[str, int]]:
    labels = {"registered": gettext("已注册（合格）"), "expired": gettext("有效期已届满"), "deferred": gettext("暂缓注册"),
              "unqualified": gettext("不合格"), "not_found": services.NOT_FOUND_TEXT, "invalid": gettext("填写有误")}
    counted = {key: sum(1 for x in lines if x.outcome == key) for key in labels}
    return [(labels[key], n) for key, n in counted.items() if n]


@login_required
@require_http_methods(["GET", "POST"])
def status_lookup_batch(request):
    """Upload a list of certificate numbers with names (≤ 500), get the answers as a table and as Excel."""
    require(request, "lookup.batch")
    if request.method == "GET":
        return _batch_page(request, BatchForm())
    if not services.batch_allowed(request.user):
        return _batch_page(request, BatchForm(), problem=gettext("查询过于频繁，请稍后再试"), status=429)
    if "rows" in request.POST:  # the result page's 下载 Excel: look the same rows up again, as a workbook
        rows = _rows_from_post(request.POST["rows"])
        if rows is None:
            return _batch_page(request, BatchForm(), problem=gettext("请重新上传名单"), status=400)
        # The workbook is in the agreed Chinese format (its headings are Chinese): its results are too.
        with translation.override(settings.LANGUAGE_CODE):
            lines = services.lookup_batch(rows=rows, actor=request.user, source="download")
            data = batch_file.results_xlsx(lines, asked_at=timezone.localtime())
        return attachment_response(HttpResponse(data, content_type=XLSX_TYPE), batch_file.RESULT_FILENAME)
    form = BatchForm(request.POST, request.FILES)
    if not form.is_valid():
        return _batch_page(request, form, status=400)
    try:
        lines = batch_file.lookup_upload(upload=form.cleaned_data["file"], actor=request.user)
    except services.BatchRefused as exc:
        form.add_error("file", exc.message)
        return _batch_page(request, form, status=400)
    return _batch_page(request, BatchForm(), lines=lines)
