"""两步验证 (TOTP, 等保 8.1.4.1 d): enrol an authenticator app once, then a 6-digit code after every login.

For the roles in TWO_FACTOR_ROLES; RequireTwoFactorMiddleware sends their sessions here until verified.
Thin: the device and its checks are in services.py (totp_*). A successful code marks the session verified
(django-otp) and gives it a new key, as a login does.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from tqr.accounts import services

WRONG_CODE = _("验证码不正确或已过期，请输入验证器应用中当前显示的6位数字。")
THROTTLED = _("验证码错误次数过多，请稍等片刻再试。")


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"), max_length=12, help_text=_("验证器应用中显示的6位数字，每30秒更换一次"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _to(name: str, request):
    """Redirect to the other two-factor page, keeping ?next."""
    query = request.GET.urlencode()
    return redirect(f"{reverse(name)}?{query}" if query else reverse(name))


def _verified(request, device):
    otp_login(request, device)
    request.session.cycle_key()  # a new key for the stronger session, as at login (ASVS 7.2.4)
    return redirect(_next_url(request))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """First time: the secret and its QR code for the app, and the first code to confirm it."""
    user = request.user
    if not user.needs_two_factor or user.is_verified():
        return redirect(_next_url(request))
    if services.totp_device(user) is not None:  # enrolled already: a new device only after an admin reset
        return _to("otp_verify", request)
    device = services.totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = services.totp_throttled(device)  # after a wrong code django-otp waits 1, 2, 4 … s
        if services.totp_enrolment_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            device.refresh_from_db()
            return _verified(request, device)
        device.refresh_from_db()
        form.add_error("token", THROTTLED if throttled else WRONG_CODE)
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        # An inline SVG as a data: URI (the CSP allows img-src data:); nothing leaves the server.
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
    }
    return render(request, "accounts/otp/setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """After the password: the current code from the app."""
    user = request.user
    if not user.needs_two_factor or user.is_verified():
        return redirect(_next_url(request))
    device = services.totp_device(user)
    if device is None:
        return _to("otp_setup", request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = services.totp_throttled(device)
        if services.totp_verify(user=user, device=device, token=form.cleaned_data["token"]):
            device.refresh_from_db()
            return _verified(request, device)
        form.add_error("token", THROTTLED if throttled else WRONG_CODE)
    return render(request, "accounts/otp/verify.html",
                  {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")})
