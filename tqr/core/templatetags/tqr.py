from django import template

from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS, SCOPE_REASONS

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
