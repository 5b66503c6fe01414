"""What a logged-in session may do before anything else: stay within its age, confirm the second factor,
replace an initial or expired password (ASVS 6.4.1, 7.3.2; 等保 8.1.4.1). And the address throttle of the
login forms (lockout.py).

Order in settings.MIDDLEWARE: SessionLifetime → django-otp's OTPMiddleware → LoginThrottle →
RequireTwoFactor → ForcePasswordChange. So a reviewer with an expired password first confirms the
TOTP code, then changes the password.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tqr.accounts import lockout
from tqr.accounts.passwords import password_expired
from tqr.accounts.services import totp_device
from tqr.accounts.signals import LOGIN_AT_SESSION_KEY

MUST_CHANGE_DETAIL = _("请先修改初始密码")
EXPIRED_DETAIL = _("密码已超过有效期，请先修改密码")
TWO_FACTOR_DETAIL = _("请先完成两步验证")
THROTTLED_MESSAGE = _("该网络地址登录失败次数过多，请一小时后再试，或联系本校注册管理员。")


def _always_allowed(path: str) -> bool:
    """Logout, the health check, the language switch and static files: never held up by the checks below."""
    return path in (reverse("logout"), reverse("healthz"), reverse("set_language")) or path.startswith(
        settings.STATIC_URL
    )


def _two_factor_page(path: str) -> bool:
    return path in (reverse("otp_setup"), reverse("otp_verify"))


def _is_api(path: str) -> bool:
    return path.startswith(reverse("api:api-root"))


def _redirect_to(target: str, request) -> HttpResponseRedirect:
    if request.method == "GET":
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    return HttpResponseRedirect(target)


RENEWED_AT_SESSION_KEY = "_tqr_renewed_at"


class SessionRenewMiddleware:
    """The idle limit (SESSION_COOKIE_AGE from the last activity) without a session write per request.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session on every page view — with the database engine
    a transaction and a commit each time, the largest cost of a logged-in request (docs/performance.md).
    Here a session is written when TQR_SESSION_RENEW_SECONDS have passed since its last write: the idle
    limit then ends a session between SESSION_COOKIE_AGE − TQR_SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE
    after the last activity (29–30 minutes by default), never later. Listed right after SessionMiddleware,
    so its response half runs before the session is saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(timezone.now().timestamp())
            # abs(): a clock set back (or a session stamped ahead of it) renews rather than never again.
            if abs(now - session.get(RENEWED_AT_SESSION_KEY, 0)) >= settings.TQR_SESSION_RENEW_SECONDS:
                session[RENEWED_AT_SESSION_KEY] = now  # modified: SessionMiddleware saves it, expiry renewed
        return response


class SessionLifetimeMiddleware:
    """Ends a session TQR_SESSION_ABSOLUTE_HOURS after its login, however active it was (ASVS 7.3.2).

    The idle limit is Django's SESSION_COOKIE_AGE, renewed by SessionRenewMiddleware. A session without a
    login time did not come through a login (or predates this check) and ends too. The request then goes
    on as anonymous: a page asks for the login, a public page is served.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_SESSION_KEY)
            limit = settings.TQR_SESSION_ABSOLUTE_HOURS * 3600
            if login_at is None or timezone.now().timestamp() - float(login_at) > limit:
                request.logout_reason = "absolute_timeout"
                logout(request)
        return self.get_response(request)


class LoginThrottleMiddleware:
    """429 for login attempts from an address with too many failed logins this hour (lockout.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info in (reverse("login"), reverse("admin:login")):
            if lockout.ip_blocked(request):
                from tqr.accounts.forms import LoginForm

                form = LoginForm(request, initial={"username": request.POST.get("username", "")})
                form.cleaned_data = {}  # an unbound form that carries one error: nothing was checked
                form.add_error(None, THROTTLED_MESSAGE)
                return render(request, "accounts/login.html", {"form": form, "next": ""}, status=429)
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Reviewers, approvers and administrators (TWO_FACTOR_ROLES) confirm a TOTP code after the password.

    Until then a session reaches only the two-factor pages (enrol or verify), logout, the health check and
    static files; the API answers 403 in JSON. Calls with an API token carry no session and are not held
    up here: a token can only be created from a verified session. Off with TQR_REQUIRE_2FA=false.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (not settings.TQR_REQUIRE_2FA or user is None or not user.is_authenticated
                or not user.needs_two_factor or user.is_verified()):
            return self.get_response(request)
        path = request.path_info
        if _two_factor_page(path) or _always_allowed(path):
            return self.get_response(request)
        if _is_api(path):
            return JsonResponse({"detail": TWO_FACTOR_DETAIL}, status=403)
        enrolled = totp_device(user) is not None
        return _redirect_to(reverse("otp_verify" if enrolled else "otp_setup"), request)


class ForcePasswordChangeMiddleware:
    """A user with `must_change_password`, or a password older than TQR_PASSWORD_MAX_AGE_DAYS, is sent to
    the password-change page from every URL.

    Exempt: that page itself, the two-factor pages, logout, static files and the health check. The API
    answers 403 in JSON instead of redirecting a script to an HTML form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        must_change = user.must_change_password
        if not must_change and not password_expired(user):
            return self.get_response(request)
        path = request.path_info
        change = reverse("password_change")
        if path == change or _two_factor_page(path) or _always_allowed(path):
            return self.get_response(request)
        if _is_api(path):
            return JsonResponse({"detail": MUST_CHANGE_DETAIL if must_change else EXPIRED_DETAIL}, status=403)
        return _redirect_to(change, request)
