"""The wizard's forms. Every identifier goes through the rules engine's validators (one set of messages)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tqr.accounts.models import Organisation
from tqr.campaigns.forms import PHONE_RE
from tqr.core.rules_text import rule_text
from tqr.rules.identifiers import (
    CERT_TYPES,
    decode_certificate,
    gender_mismatch,
    normalise,
    resident_id_birth_date,
    resident_id_gender,
    validate_certificate_number,
    validate_resident_id,
)
from tqr.teachers.models import AssessmentGrade, CertificateType, Gender, Interruption, PostLevel

ETHNICITIES = (  # the national list of 56 groups: stored and printed on the 申请表 as written
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "  # i18n: data
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 "
    "锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 "
    "赫哲族 门巴族 珞巴族 基诺族"
).split()
IN_SCOPE_CERT_TYPES = [(v, label) for v, label in CertificateType.choices if v != "higher"]


def date_input():
    # <input type=date> wants ISO dates whatever the language, or it shows an empty field.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def clean_name(value: str) -> str:
    value = value.strip()
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise forms.ValidationError(_("姓名中不能包含控制字符"))
    if len(value) > 50:
        raise forms.ValidationError(_("姓名不能超过50个字"))
    return value


class StepForm(forms.Form):
    """A wizard step: knows its application (for the round and the district's units)."""

    def __init__(self, *args, application=None, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)


class TermsForm(StepForm):
    accept = forms.BooleanField(
        label=_("我已阅读上述承诺事项，保证所填信息真实、准确，与本人持有的教师资格证书一致；如有不实，本人承担相应责任。"),
        error_messages={"required": _("请勾选同意承诺事项后再继续")},
    )


class IdentityForm(StepForm):
    id_type = forms.ChoiceField(label=_("证件类型"), choices=[("resident_id", _("居民身份证"))])
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=40,
        help_text=_("18位，与身份证上一致；最后一位是校验码，可能是 X（大小写均可），任何一位抄错都会提示。"
                    "例：11010519491231002X"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}),
    )
    certificate_number = forms.CharField(
        label=_("教师资格证书号码"), max_length=40,
        help_text=_("见证书内页，须与证书完全一致。新版17位：认定年度＋省份代码（重庆50）＋认定机构＋资格种类＋性别＋流水号，"
                    "例：20085011421000123；2001年前的旧证书为15位"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_id_number(self):
        value = normalise(self.cleaned_data["id_number"])
        issues = validate_resident_id(value, not_after=timezone.localdate())
        if issues:
            raise forms.ValidationError([rule_text(i) for i in issues])
        return value

    def clean_certificate_number(self):
        value = normalise(self.cleaned_data["certificate_number"])
        year = self.application.round.year if self.application else None
        issues = validate_certificate_number(value, round_year=year)
        if issues:
            raise forms.ValidationError([rule_text(i) for i in issues])
        if len(value) == 17 and decode_certificate(value).type == "higher":
            raise forms.ValidationError(_("这是高等学校教师资格证书，不在本次中小学教师资格定期注册范围内"))
        return value

    def warnings(self) -> list[str]:
        """Not errors (old data is messy): shown beside the form after saving."""
        if self.is_valid():
            issue = gender_mismatch(self.cleaned_data["id_number"], self.cleaned_data["certificate_number"])
            return [rule_text(issue)] if issue else []
        return []


class CertificateForm(StepForm):
    name = forms.CharField(label=_("姓名"), max_length=60, help_text=_("与教师资格证书上的姓名完全一致，含“·”等符号"))
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES])
    cert_type = forms.ChoiceField(label=_("资格种类"), choices=IN_SCOPE_CERT_TYPES,
                                  help_text=_("如“小学教师资格”，以证书为准；须与证书号码第10位一致"))
    cert_subject = forms.CharField(label=_("任教学科（证书）"), max_length=30, help_text=_("证书上的任教学科，如“语文”"))
    certifying_body = forms.CharField(label=_("认定机构"), max_length=60, help_text=_("证书上盖章的认定机构全称，如“重庆市黔江区教育委员会”"))
    cert_issue_date = forms.DateField(label=_("证书签发日期"), widget=date_input(),
                                      help_text=_("证书上的签发（认定）日期，不是注册日期，如 2008-06-30"))
    registration_body = forms.ModelChoiceField(label=_("注册机构"), queryset=Organisation.objects.none(),
                                               empty_label=None,
                                               help_text=_("您任教学校所在区县的教育委员会，一般只有这一个选项"))
    confirmation_point = forms.ModelChoiceField(
        label=_("现场确认点"), queryset=Organisation.objects.none(),
        help_text=_("现场确认在这里进行：选择您任教的学校；借调教师选择借出单位（原单位）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.application is not None:
            district = self.application.round.district_id
            self.fields["registration_body"].queryset = Organisation.objects.filter(pk=district)
            self.fields["confirmation_point"].queryset = units_of(self.application.round)
            self.fields["confirmation_point"].label_from_instance = lambda o: o.name

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])

    def clean_cert_issue_date(self):
        value = self.cleaned_data["cert_issue_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("签发日期不能晚于今天"))
        if value < date(1990, 1, 1):
            raise forms.ValidationError(_("签发日期不能早于1990年（教师资格制度实施以前）"))
        return value

    def clean(self):
        data = super().clean()
        number = self.application.certificate_number if self.application else ""
        if number and len(number) == 17 and data.get("cert_type"):
            on_number = CERT_TYPES.get(number[9])
            if on_number and on_number != data["cert_type"]:
                label = dict(CertificateType.choices).get(on_number, on_number)
                self.add_error("cert_type", _("与证书号码第10位不一致：证书号码显示为“%(label)s”，请核对") % {"label": label})
        return data


def units_of(round_):
    ownerships = ["public", "private"] if round_.include_private else ["public"]
    return Organisation.objects.filter(
        parent_id=round_.district_id, kind__in=Organisation.UNIT_KINDS, is_active=True, ownership__in=ownerships
    ).order_by("name")


class ApplicationDataForm(StepForm):
    unit = forms.ModelChoiceField(label=_("任教学校（法人机构全称）"), queryset=Organisation.objects.none(),
                                  help_text=_("法人机构全称，即学校公章上的名称，如“重庆市黔江区城东街道中心小学校”，不要用“城东小学”这样的简称"))
    post_level = forms.ChoiceField(label=_("任教学段"), choices=PostLevel.choices,
                                   help_text=_("现在实际任教的学段；资格证书可在本级及以下学段任教"))
    subject = forms.CharField(label=_("任教学科"), max_length=30, help_text=_("现在任教的学科，如“语文”“数学”"))
    title = forms.CharField(label=_("职称"), max_length=30, required=False, help_text=_("如“一级教师”，没有可不填"))
    hire_date = forms.DateField(label=_("参加工作时间"), widget=date_input(),
                                help_text=_("首次参加工作的日期，以人事档案为准，如 2008-09-01"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, help_text=_("11位手机号码，如 13812345678"))
    training_hours = forms.IntegerField(
        label=_("5年内培训学时"), min_value=0, max_value=3000,
        help_text=_("注册有效期内累计培训学时（以继续教育学分证明为准）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        app = self.application
        if app is None:
            return
        self.fields["unit"].queryset = units_of(app.round)
        self.fields["unit"].label_from_instance = lambda o: o.name
        self.fields["training_hours"].help_text = _(
            "%(start)s—%(end)s年累计培训学时，填数字，如 384；需满 %(hours)s 学时（以继续教育学分证明为准）"
        ) % {"start": app.round.year - 5, "end": app.round.year - 1, "hours": app.round.required_training_hours}
        grades = [("", _("未考核／不清楚"))] + list(AssessmentGrade.choices)
        for year in self.years:
            self.fields[f"assess_{year}"] = forms.ChoiceField(label=_("%(y)s年度考核") % {"y": year},
                                                              choices=grades, required=False)
            if not self.is_bound:
                self.initial[f"assess_{year}"] = app.assessments.get(str(year), "")

    @property
    def years(self) -> list[int]:
        y = self.application.round.year
        return list(range(y - 5, y))

    @property
    def assessment_fields(self):
        return [self[f"assess_{y}"] for y in self.years]

    @property
    def main_fields(self):
        return [self[n] for n in ("unit", "post_level", "subject", "title", "hire_date", "phone", "training_hours")]

    def clean_phone(self):
        phone = self.cleaned_data["phone"].replace(" ", "").replace("-", "")
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("请填写11位手机号码，如 13812345678"))
        return phone

    def clean_hire_date(self):
        value = self.cleaned_data["hire_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("参加工作时间不能晚于今天"))
        return value

    def clean(self):
        data = super().clean()
        data["assessments"] = {str(y): data.pop(f"assess_{y}", "") for y in self.years}
        data["assessments"] = {y: g for y, g in data["assessments"].items() if g}
        return data


class InterruptionForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=date_input(), help_text=_("中断教育教学工作的第一天"))
    end = forms.DateField(label=_("结束日期"), widget=date_input(), help_text=_("回到岗位前的最后一天"))
    approved = forms.ChoiceField(label=_("事由"), required=False,
                                 choices=[("", _("未经批准"))] + list(Interruption.Approved.choices),
                                 help_text=_("经批准的进修、培训、学术交流、病假、产假等选对应事由，不算中断"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data


InterruptionFormSet = forms.formset_factory(InterruptionForm, extra=1, max_num=20, validate_max=True,
                                            can_delete=True)


def interruptions_data(formset) -> list[dict]:
    return [
        {"start": f.cleaned_data["start"].isoformat(), "end": f.cleaned_data["end"].isoformat(),
         "approved": f.cleaned_data.get("approved", ""), "note": f.cleaned_data.get("note", "")}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("start")
    ]


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("照片"), help_text=_(
        "近6个月内白色背景正面免冠照片，JPG 或 PNG，不超过 10 MB、至少 150×210 像素；"
        "系统会自动裁剪为 295×413 像素、不超过 200 KB"))
    crop_x = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)
    crop_y = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)
    crop_w = forms.FloatField(required=False, min_value=0.01, max_value=1, widget=forms.HiddenInput)
    crop_h = forms.FloatField(required=False, min_value=0.01, max_value=1, widget=forms.HiddenInput)

    def crop(self):
        d = self.cleaned_data
        values = [d.get(k) for k in ("crop_x", "crop_y", "crop_w", "crop_h")]
        return tuple(values) if all(v is not None for v in values) else None


def identity_derived(id_number: str) -> dict:
    """What the ID itself says: the birth date is read from it, never typed."""
    return {"birth_date": resident_id_birth_date(id_number), "id_gender": resident_id_gender(id_number)}
