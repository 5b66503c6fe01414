"""Request id and security headers for every response."""

from __future__ import annotations

import contextvars
import uuid

from django.conf import settings

current_request: contextvars.ContextVar = contextvars.ContextVar("tqr_current_request", default=None)

# img-src blob: lets the photo step preview the teacher's own chosen file (URL.createObjectURL) for cropping;
# without it the preview was blocked and the crop frame sat on a broken image.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def client_ip(request) -> str:
    """The client address. Behind our own proxy, the proxy's X-Real-IP; never a client-sent XFF."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR", "")


class RequestIdMiddleware:
    """Gives each request an id that groups the audit rows of one user action."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-Id"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """CSP without inline script, and no caching of anything a logged-in user sees."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


class RequestSizeLimitMiddleware:
    """Refuse an oversized request before Django reads it (413), so that a 30 MB upload never reaches a
    temporary file. nginx does the same in production (client_max_body_size); this is the app's own floor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse
        from django.utils import translation
        from django.utils.translation import gettext as _

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.TQR_MAX_REQUEST_BYTES:
            limit = settings.TQR_MAX_REQUEST_BYTES // (1024 * 1024)
            # Before ChosenLanguageMiddleware (the body must not be read): the cookie's language, by hand.
            with translation.override(chosen_language(request)):
                text = _("上传的内容过大（超过 %(limit)s MB），请压缩或拆分后重新上传。") % {"limit": limit}
            return HttpResponse(text.encode(), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def chosen_language(request) -> str:
    """The language chosen with the switch (set_language's cookie), else the site's: never Accept-Language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """The interface language: Simplified Chinese unless the visitor chose another with the switch.

    Django's LocaleMiddleware would also follow the browser's Accept-Language, so a reviewer whose computer
    is set to English would get English pages without asking; here only the choice made with the switch
    (set_language's cookie) counts, and Chinese stays the default for everyone else (docs/i18n.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
