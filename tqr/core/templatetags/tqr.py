from django import template

from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS, SCOPE_REASONS
from tqr.rules.engine import GRADE_LABELS

register = template.Library()


@register.filter
def scope_label(code: str) -> str:
    return SCOPE_REASONS[code].title if code in SCOPE_REASONS else code


@register.filter
def kind_label(code: str) -> str:
    return KIND_LABELS.get(code, code)


@register.filter
def proposal_label(code: str) -> str:
    return OUTCOME_LABELS.get(code, code)


EVENT_LABELS = {
    "create": "开始填报", "edit": "修改", "photo": "上传照片", "submit": "提交申请", "resubmit": "重新提交",
    "confirm": "学校现场确认", "return": "学校退回", "undo_confirm": "学校撤销确认", "abandon": "视为自动放弃",
}
FIELD_LABELS = {
    "id_type": "证件类型", "id_number": "身份证号码", "certificate_number": "证书号码", "name": "姓名", "gender": "性别",
    "ethnicity": "民族", "birth_date": "出生日期", "cert_type": "资格种类", "cert_subject": "证书学科",
    "certifying_body": "认定机构", "cert_issue_date": "签发日期", "registration_body": "注册机构",
    "confirmation_point": "确认点", "unit": "任教学校", "post_level": "学段", "subject": "学科", "title": "职称",
    "hire_date": "参加工作时间", "phone": "电话", "assessments": "年度考核", "training_hours": "培训学时",
    "interruptions": "中断教学", "photo": "照片", "terms_accepted": "承诺事项",
}


@register.filter
def grade_label(code: str) -> str:
    return GRADE_LABELS.get(code, code)


@register.filter
def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, code)


@register.filter
def changed_fields(changes: dict) -> str:
    return "、".join(FIELD_LABELS.get(k, k) for k in changes)


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
