"""An account that still has its initial password does nothing else until it sets its own (ASVS 6.4.1)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

MUST_CHANGE_DETAIL = "请先修改初始密码"


class ForcePasswordChangeMiddleware:
    """A logged-in user with `must_change_password` is sent to the password-change page from every URL.

    Exempt: that page itself, logout, static files and the health check. The API answers 403 in JSON
    instead of redirecting a script to an HTML form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return self.get_response(request)
        path = request.path_info
        change = reverse("password_change")
        if path == change or path in (reverse("logout"), reverse("healthz")) or path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if path.startswith(reverse("api:api-root")):
            return JsonResponse({"detail": MUST_CHANGE_DETAIL}, status=403)
        if request.method == "GET":
            return HttpResponseRedirect(f"{change}?{urlencode({'next': request.get_full_path()})}")
        return HttpResponseRedirect(change)
