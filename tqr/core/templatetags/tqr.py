from django import template
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from tqr.rules import flow
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS, SCOPE_REASONS
from tqr.rules.engine import GRADE_LABELS

register = template.Library()


@register.filter
def scope_label(code: str) -> str:
    # tqr.rules' labels are Chinese (Django-free); they are translated here, where they are shown.
    return gettext(SCOPE_REASONS[code].title) if code in SCOPE_REASONS else code


@register.filter
def kind_label(code: str) -> str:
    return gettext(KIND_LABELS[code]) if code in KIND_LABELS else code


@register.filter
def proposal_label(code: str) -> str:
    return gettext(OUTCOME_LABELS[code]) if code in OUTCOME_LABELS else code


EVENT_LABELS = {
    "create": _("开始填报"), "edit": _("修改"), "photo": _("上传照片"), "submit": _("提交申请"), "resubmit": _("重新提交"),
    "confirm": _("学校现场确认"), "return": _("学校退回"), "undo_confirm": _("学校撤销确认"), "abandon": _("视为自动放弃"),
    # The district's and the city's steps (the same words as the teacher's timeline, tqr.applications.overview).
    "check": _("学校核验"), "review": _("区县初审完成"), "revise": _("初审结论修改"), "publish": _("列入公示"),
    "objection_revise": _("根据异议修改结论"), "report": _("公示期满，上报市级"), "city_return": _("复审退回区县核实"),
    "city_resubmit": _("区县核实后重新上报"), "finalise": _("终审通过"),
}
FIELD_LABELS = {
    "id_type": _("证件类型"), "id_number": _("身份证号码"), "certificate_number": _("证书号码"), "name": _("姓名"),
    "gender": _("性别"), "ethnicity": _("民族"), "birth_date": _("出生日期"), "cert_type": _("资格种类"),
    "cert_subject": _("证书学科"), "certifying_body": _("认定机构"), "cert_issue_date": _("签发日期"),
    "registration_body": _("注册机构"), "confirmation_point": _("确认点"), "unit": _("任教学校"), "post_level": _("学段"),
    "subject": _("学科"), "title": _("职称"), "hire_date": _("参加工作时间"), "phone": _("电话"),
    "assessments": _("年度考核"), "training_hours": _("培训学时"), "interruptions": _("中断教学"), "photo": _("照片"),
    "terms_accepted": _("承诺事项"),
    "conclusion": _("初审结论"), "checklist": _("材料核验"), "note": _("学校意见"), "facts": _("核对的信息"),
}


@register.filter
def grade_label(code: str) -> str:
    return gettext(GRADE_LABELS[code]) if code in GRADE_LABELS else code


@register.filter
def event_label(code: str) -> str:
    """The history's action in words: this table, else the flow's own name of the transition (记录初审结论 …)."""
    if code in EVENT_LABELS:
        return str(EVENT_LABELS[code])
    transition = next((t for t in flow.TRANSITIONS if t.action == code), None)
    return gettext(transition.label) if transition is not None else code


@register.filter
def changed_fields(changes: dict) -> str:
    return pgettext("list separator", "、").join(str(FIELD_LABELS.get(k, k)) for k in changes)


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` — JSON dicts keyed by strings, looked up with a number or a string."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(str(key))


@register.filter
def can(user, action: str) -> bool:
    """`{% if user|can:"email.manage" %}`: a link shown by the permission module's rule, not a role list."""
    from tqr.accounts.permissions import can as allowed

    return allowed(user, action)
