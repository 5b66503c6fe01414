"""The form renderer: Django's own, except that selects, text-like inputs and text areas are written in Python.

Django renders every widget, and every <option> of a select, through a template include: the teacher's
step-6 page (a select of the district's ~150 schools, one of 56 ethnicities, …) spent most of its time there
(bench/findings.md). The HTML written here is byte for byte what the templates write
(tests/core/test_form_renderer.py compares the two on every widget kind and awkward values); any other
template goes to Django's renderer unchanged.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(WIDGETS + f"{kind}.html" for kind in (
    "color", "date", "datetime", "email", "hidden", "number", "password", "search", "tel", "text", "time", "url"))
OPTION = WIDGETS + "select_option.html"


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape (the filter keeps a safe string safe; so does str())."""
    return conditional_escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_s(value)}"')
    return "".join(out)


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_s(w["value"])}"'
    return f'<input type="{conditional_escape(w["type"])}" name="{conditional_escape(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _select(w: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for o in group_choices:
            if o["template_name"] != OPTION:
                return None
            parts.append(f'\n  <option value="{_s(o["value"])}"{_attrs(o["attrs"])}>{conditional_escape(o["label"])}'
                         f"</option>\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(w: dict) -> str:
    value = conditional_escape(w["value"]) if w["value"] else ""
    return f'<textarea name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


class FastRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        w = context.get("widget") if isinstance(context, dict) else None
        html = None
        if w is not None and w.get("template_name") == template_name:
            if template_name in INPUTS:
                html = _input(w)
            elif template_name == WIDGETS + "select.html":
                html = _select(w)
            elif template_name == WIDGETS + "textarea.html":
                html = _textarea(w)
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html.strip())  # noqa: S308 - every value above went through conditional_escape
