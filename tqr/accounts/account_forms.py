"""Forms of the account pages: sign-up and the request for a password-reset link.

Kept apart from forms.py (the login form) so the account pages are one unit: these forms, account_views.py,
services.py and urls.py.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from smtplib import SMTPException

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from tqr.accounts.models import User
from tqr.accounts.selectors import signup_units
from tqr.campaigns.selectors import today
from tqr.core.rules_text import rule_text
from tqr.rules.identifiers import normalise, validate_resident_id

logger = logging.getLogger(__name__)

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
PASSWORD_HINT = _("至少10位，须包含大写字母、小写字母、数字、符号中的至少三类；不能是常见密码，也不能与身份证号码、姓名相近。")


class SignupForm(forms.Form):
    """教师注册账号. Checks the input; whether the ID or e-mail is already taken is the service's business."""

    id_number = forms.CharField(
        label=_("身份证号码"), max_length=30, help_text=_("18位居民身份证号码，最后一位可能是 X；登录时也可用它作账号。例：11010519491231002X"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=50, help_text=_("与身份证和教师资格证书上的姓名一致"),
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("手机号码"), max_length=20, help_text=_("11位手机号码，如 13812345678"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"), max_length=254, help_text=_("请填写真实邮箱：需点击验证邮件中的链接，忘记密码时也通过它找回"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    unit = forms.TypedChoiceField(label=_("任教单位"), coerce=int, help_text=_("按法人机构全称选择；学校已登记您的，以学校登记为准"))
    password1 = forms.CharField(
        label=_("密码"), strip=False, help_text=PASSWORD_HINT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._units = {u.pk: u for u in signup_units()}
        groups: dict[str, list[tuple[int, str]]] = {}
        for unit in self._units.values():
            groups.setdefault(unit.parent.name, []).append((unit.pk, unit.name))
        self.fields["unit"].choices = [("", _("请选择任教单位")), *groups.items()]

    def clean_id_number(self) -> str:
        value = normalise(self.cleaned_data["id_number"])
        issues = validate_resident_id(value, not_after=today())
        if issues:
            raise forms.ValidationError([rule_text(issue) for issue in issues])
        return value

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
            raise forms.ValidationError(_("姓名中不能包含控制字符或不可见字符"))
        return name

    def clean_phone(self) -> str:
        phone = normalise(self.cleaned_data["phone"]).removeprefix("+86")
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("请填写11位手机号码，如 13812345678"))
        return phone

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"].strip())

    def clean_unit(self):
        return self._units[self.cleaned_data["unit"]]  # TypedChoiceField already refused anything else

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致"))
        elif password1:
            # The would-be account, so the similarity check compares with the ID number, name and e-mail.
            candidate = User(username=cleaned.get("id_number", ""), first_name=cleaned.get("name", ""),
                             display_name=cleaned.get("name", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"id_number": data["id_number"], "name": data["name"], "phone": data["phone"],
                "email": data["email"], "unit": data["unit"], "password": data["password1"]}


class ResetRequestForm(PasswordResetForm):
    """找回密码: Django's form (the address is matched case-insensitively), with two guards.

    The page answers the same whether or not the address exists, so a failing mail server must not
    turn into an error page for known addresses only; and one address gets at most one mail a minute.
    """

    email = forms.EmailField(
        label=_("注册时填写的电子邮箱"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("收不到邮件时请查看垃圾邮件箱；邮箱已不能使用的，请联系本校注册管理员"),
    )

    def get_users(self, email):
        for user in super().get_users(email):
            if cache.add(f"tqr:password-reset-sent:{user.pk}", 1, 60):
                yield user

    def send_mail(self, *args, **kwargs):
        try:
            super().send_mail(*args, **kwargs)
        except (SMTPException, OSError):
            logger.exception("password reset mail could not be sent")
