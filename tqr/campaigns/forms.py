import re

from django import forms
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class AdministratorForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=30)
    phone = forms.CharField(label=_("手机号码"), max_length=20, help_text=_("11位手机号码，用于区继教中心联系"))
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if any(ord(c) < 32 for c in name):
            raise forms.ValidationError(_("姓名中不能包含控制字符"))
        return name

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("请填写11位手机号码，如 13812345678"))
        return phone
