from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """One message for every refusal, so the page never tells whether an account exists."""

    error_messages = {
        "invalid_login": _("账号或密码错误或已锁定。"),
        "inactive": _("账号或密码错误或已锁定。"),
    }

    username = forms.CharField(
        label=_("账号"),
        max_length=150,
        help_text=_("用户名、电子邮箱或身份证号码"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
