import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class AdministratorForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=30)
    phone = forms.CharField(label=_("手机号码"), max_length=20, help_text=_("11位手机号码，用于区继教中心联系"))
    email = forms.EmailField(label=_("电子邮箱"), required=False,
                             help_text=_("真实、常用的邮箱，用于接收工作通知和提醒"))

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


CONTACT_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
ATTACHMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt", ".jpg", ".jpeg", ".png"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class AnnouncementForm(forms.Form):
    document_number = forms.CharField(label=_("文号"), max_length=60, required=False,
                                      help_text=_("如：黔江教办〔2026〕155号"))
    title = forms.CharField(label=_("标题"), max_length=200)
    addressees = forms.CharField(label=_("主送"), max_length=300, required=False)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 16}))
    issuing_body = forms.CharField(label=_("发文机关"), max_length=100)
    training_starts_at = forms.DateTimeField(
        label=_("注册管理员培训时间"), required=False, help_text=_("格式：2026-11-06 09:00"),
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    training_place = forms.CharField(label=_("培训地点"), max_length=200, required=False)
    group_info = forms.CharField(label=_("工作交流群"), max_length=200, required=False)
    materials_address = forms.CharField(label=_("材料报送地点"), max_length=200, required=False)
    contacts = forms.CharField(
        label=_("联系人"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名，单位，电话。如：兰建伟，区教委，13896453785"),
    )

    def clean_contacts(self):
        contacts, problems = [], []
        for number, line in enumerate(self.cleaned_data["contacts"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[，,、\t]", line) if p.strip()]
            if len(parts) != 3:
                problems.append(gettext("第%(line)s行应为“姓名，单位，电话”三项，用逗号分开") % {"line": number})
                continue
            name, organisation, phone = parts
            phone = re.sub(r"\s", "", phone)
            if not CONTACT_PHONE_RE.match(phone):
                problems.append(gettext("第%(line)s行的电话“%(phone)s”不是有效的手机或座机号码") % {"line": number, "phone": phone})
                continue
            contacts.append({"name": name[:30], "organisation": organisation[:60], "phone": phone})
        if problems:
            raise forms.ValidationError(problems)
        return contacts


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("附件名称"), max_length=200, help_text=_("如：重庆市2026年教师资格定期注册情况统计表"))
    file = forms.FileField(label=_("文件"), help_text=_("PDF、Word、Excel、WPS、图片或文本，最大 10 MB"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        from pathlib import Path

        if Path(upload.name).suffix.lower() not in ATTACHMENT_SUFFIXES:
            raise forms.ValidationError(_("不支持该文件类型，请上传 PDF、Word、Excel、WPS、图片或文本文件"))
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("文件过大（最大 10 MB），请压缩后重新上传"))
        return upload
