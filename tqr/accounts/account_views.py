"""The account pages: sign-up, e-mail verification, password reset by e-mail and password change.

Thin: parse the form, call one service from tqr.accounts.services, render or redirect. The password pages
are Django's own views with Chinese templates; only the write goes through our service, so that the flag,
the timestamp and the audit row are set the same way whichever page changed the password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tqr.accounts import services
from tqr.accounts.account_forms import ResetRequestForm, SignupForm
from tqr.accounts.passwords import password_expired


def _base_url(request) -> str:
    """Scheme and host for links in mail (the host is checked against ALLOWED_HOSTS by Django)."""
    return request.build_absolute_uri("/").rstrip("/")


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    """教师注册账号: resident ID, name, phone, a real e-mail and the unit; then the verification mail."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.teacher_signup(**form.service_arguments(), base_url=_base_url(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, outcome.user)
            messages.success(request, _("账号已创建。请查收验证邮件：我们已向 %(email)s 发送验证链接（%(days)s天内有效）。")
                             % {"email": outcome.user.email, "days": services.VERIFY_MAX_AGE.days})
            if outcome.linked and outcome.user.organisation_id != form.cleaned_data["unit"].pk:
                messages.info(request, _("您的任教单位以学校登记为准：%(unit)s。如有误请联系本校注册管理员。")
                              % {"unit": outcome.user.organisation.name})
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@never_cache
@require_GET
def verify_email(request, token: str | None = None):
    """The link in the verification mail. Without a token (a link cut short by a mail client): explain."""
    context = {"verified_user": None, "expired": False}
    if token is not None:
        try:
            context["verified_user"] = services.email_verify(token=token)
        except services.VerificationLinkError as error:
            context["expired"] = error.expired
    context["days"] = services.VERIFY_MAX_AGE.days
    return render(request, "accounts/verify_email.html", context)


@require_POST
@login_required
def verify_email_resend(request):
    user = request.user
    if user.email_verified_at is not None:
        messages.info(request, _("您的邮箱已验证，无需再次验证。"))
    elif not user.email:
        messages.error(request, _("账号没有登记电子邮箱，请联系本校注册管理员。"))
    elif services.email_verification_resend(user=user, base_url=_base_url(request)):
        messages.success(request, _("验证邮件已重新发送至 %(email)s，请查收（%(days)s天内有效）。")
                         % {"email": user.email, "days": services.VERIFY_MAX_AGE.days})
    else:
        messages.error(request, _("验证邮件刚刚已发送，请1分钟后再试。"))
    return redirect("home")


# --- Passwords --------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码. Also where a bulk-created account is sent to replace its initial password."""

    template_name = "accounts/password_change.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not user.must_change_password and password_expired(user):  # sent here by the middleware
            messages.warning(request, _("您的密码已使用超过%(days)s天，请设置新密码后继续使用。")
                             % {"days": settings.TQR_PASSWORD_MAX_AGE_DAYS})
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        services.password_change(user=form.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)  # this session stays; all others end
        messages.success(self.request, _("密码已修改。"))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                           require_https=self.request.is_secure()):
            return target
        return reverse("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        context["next"] = self.request.POST.get("next") or self.request.GET.get("next", "")
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """找回密码: ask for the address; the answer is the same page whether or not it is known."""

    form_class = ResetRequestForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_body.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        services.password_change(user=form.user, new_password=form.cleaned_data["new_password1"],
                                 by_reset_link=True)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


@never_cache
@require_GET
def password_reset_link_incomplete(request):
    """The reset address without its token (a link cut short by a mail client): the invalid-link page."""
    return render(request, PasswordResetConfirmView.template_name, {"validlink": False})


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
