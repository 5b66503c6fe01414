"""The public notice (公示), readable without login: only the allow-listed fields, never an ID or a phone.

Closed after its period ("公示已结束"), `noindex` for search engines, rate-limited per address."""

from __future__ import annotations

import hashlib
import json

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_POST

from tqr.core.downloads import attachment_response
from tqr.core.middleware import client_ip
from tqr.core.ratelimit import allow
from tqr.reviews import services
from tqr.reviews.models import Notice

PAGE_LIMIT = (60, 60)  # 60 requests a minute per address (security-tests §45)
OBJECTION_LIMIT = (5, 600)  # 5 objections per 10 minutes per address
PAGE_CACHE_SECONDS = 60  # as long as the Cache-Control below lets browsers and proxies keep the page
CSRF_SLOT = "__tqr_csrf_slot__"  # the cached page's form token, replaced by each visitor's own


def _limited(request, kind: str, limit: tuple[int, int]) -> HttpResponse | None:
    if not allow(f"{kind}:{client_ip(request)}", limit=limit[0], seconds=limit[1]):
        response = render(request, "reviews/public_throttled.html", status=429)
        response["Retry-After"] = str(limit[1])
        return response
    return None


def _public(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "public, max-age=60"
    return response


def _notice(slug: str) -> Notice | None:
    return Notice.objects.filter(slug=slug, published_at__isnull=False).select_related("round").first()


@require_GET
def notice_public(request, slug: str):
    """The page is the same for every visitor (no login, no personal data): rendered once a minute per
    page and search and kept in each server process's memory, served after the address's rate limit is
    counted. Only the objection form's CSRF token is each visitor's own."""
    if (throttled := _limited(request, "notice", PAGE_LIMIT)) is not None:
        return throttled
    today = timezone.localdate()
    asked = [slug, today.isoformat(), translation.get_language() or "", request.GET.get("sent") == "1",
             request.GET.get("page", "")[:12], (request.GET.get("q") or "").strip()[:20]]
    key = "notice-page:" + hashlib.sha256(json.dumps(asked).encode()).hexdigest()
    cached = caches["local"].get(key)
    if cached is None:
        notice = _notice(slug)
        if notice is None:
            return _public(render(request, "reviews/public_notice_missing.html", status=404))
        if today > notice.end_date:
            return _public(render(request, "reviews/public_notice_ended.html", {"notice": notice}, status=410))
        context = {**_page_context(request, notice, today), "csrf_token": CSRF_SLOT}
        cached = render_to_string("reviews/public_notice.html", context, request=request)
        caches["local"].set(key, cached, PAGE_CACHE_SECONDS)
    return _public(HttpResponse(cached.replace(CSRF_SLOT, get_token(request))))


def _page_context(request, notice: Notice, today) -> dict:
    """A page of 100 entries, optionally those whose name or school contains the search text."""
    from django.core.paginator import Paginator
    from django.db.models import Q

    q = (request.GET.get("q") or "").strip()[:20]
    # notice_id too: the related manager reads it on every row (one query per entry when deferred).
    entries = notice.entries.all().only("notice_id", "number", "name", "unit", "qualification_type",
                                        "registration_kind", "conclusion", "distinguisher")
    if q:
        entries = entries.filter(Q(name__contains=q) | Q(unit__contains=q))
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return {"notice": notice, "entries": page, "q": q, "open": services.notice_is_open(notice, today),
            "any_distinguisher": notice.entries.exclude(distinguisher="").exists(),
            "sent": request.GET.get("sent") == "1", "total": page.paginator.count if not q else notice.entries.count()}


@require_POST
def objection_public(request, slug: str):
    if (throttled := _limited(request, "objection", OBJECTION_LIMIT)) is not None:
        return throttled
    notice = _notice(slug)
    if notice is None:
        return _public(render(request, "reviews/public_notice_missing.html", status=404))
    number = request.POST.get("entry", "")
    entry = notice.entries.filter(number=int(number)).first() if number.isdigit() else None
    name, contact, content = (request.POST.get(k, "").strip() for k in ("name", "contact", "content"))
    problems = services.objection_problems(entry=entry, name=name, contact=contact, content=content)
    if not problems:
        try:
            services.objection_file(notice=notice, entry=entry, name=name, contact=contact, content=content,
                                    ip=client_ip(request))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        context = _page_context(request, notice, timezone.localdate())
        return _public(render(request, "reviews/public_notice.html",
                              {**context, "problems": problems, "post": request.POST}, status=400))
    return redirect(f"{request.path.rsplit('objection/', 1)[0]}?sent=1")


@require_GET
def notice_public_pdf(request, slug: str):
    if (throttled := _limited(request, "notice", PAGE_LIMIT)) is not None:
        return throttled
    notice = _notice(slug)
    if notice is None or timezone.localdate() > notice.end_date:
        return _public(render(request, "reviews/public_notice_missing.html", status=404))
    from tqr.reviews.documents import notice_pdf

    return _public(attachment_response(HttpResponse(notice_pdf(notice, request), content_type="application/pdf"),
                                       f"{notice.title}.pdf"))
