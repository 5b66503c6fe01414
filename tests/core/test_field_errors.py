"""Error messages are tied to their fields: the widget says aria-invalid="true" and its aria-describedby names
the elements that hold its hint and its errors (templates/_form_fields.html, templates/applications/_field.html)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string

from tests.applications.helpers import version
from tqr.applications.models import Application


class Form(forms.Form):
    name = forms.CharField(label="姓名", max_length=4, help_text="与身份证一致")
    phone = forms.CharField(label="手机号码")
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(label="类型", choices=[("a", "甲"), ("b", "乙")])
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def widget_of(html: str, name: str) -> str:
    return re.search(rf'<(?:input|select|textarea)[^>]* name="{name}"[^>]*>', html).group(0)


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def described_by(tag: str) -> list[str]:
    found = re.search(r'aria-describedby="([^"]*)"', tag)
    return found.group(1).split() if found else []


@pytest.mark.parametrize("template", ["_form_fields.html"])
def test_a_field_with_an_error_points_at_its_message_and_its_hint(template):
    html = render_to_string(template, {"form": Form(data={"name": "太长的名字", "kind": "b"})})
    tag = widget_of(html, "name")
    assert 'aria-invalid="true"' in tag
    assert described_by(tag) == ["id_name_helptext", "id_name_error"]
    assert re.search(r'id="id_name_helptext"[^>]*>与身份证一致<', html)
    error = re.search(r'<div class="field-error" id="id_name_error">(.*?)</div>', html, re.S).group(1)
    assert "4" in error  # 最多 4 个字符
    tag = widget_of(html, "phone")  # required and empty: an error, no hint
    assert 'aria-invalid="true"' in tag and described_by(tag) == ["id_phone_error"]


def test_a_valid_field_is_not_invalid_and_every_reference_resolves():
    html = render_to_string("_form_fields.html", {"form": Form(data={"name": "张三", "phone": "1", "kind": "a"})})
    for name in ("name", "phone", "note", "kind"):
        assert "aria-invalid" not in widget_of(html, name)
    assert described_by(widget_of(html, "name")) == ["id_name_helptext"]
    ids = ids_in(html)
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", html):
        assert set(described_by(tag)) <= ids, tag
    # Every visible field has a label, the hidden one none.
    for field in ("name", "phone", "note", "kind"):
        assert f'<label for="id_{field}">' in html
    assert 'for="id_token"' not in html


def test_the_field_partial_alone_ties_errors_too():
    form = Form(data={})
    html = render_to_string("applications/_field.html", {"field": form["phone"]})
    assert 'aria-describedby="id_phone_error"' in html and 'id="id_phone_error"' in html


def test_a_wizard_step_with_a_wrong_id_number_says_so_at_the_field(client_for, world):
    client = client_for("t_a1")
    assert client.post("/apply/").status_code == 302
    app = Application.objects.get(round=world.round_a, teacher=world.teacher_a1)
    rid = world.round_a.pk
    client.post(f"/apply/{rid}/step/2/", {"accept": "on", "version": version(app)})
    response = client.post(f"/apply/{rid}/step/3/", {
        "id_type": "resident_id", "id_number": "500114198503140001",
        "certificate_number": world.teacher_a1.certificates.first().number, "version": version(app)})
    html = response.content.decode()
    tag = widget_of(html, "id_number")
    assert 'aria-invalid="true"' in tag
    assert "id_id_number_error" in described_by(tag)
    error = re.search(r'id="id_id_number_error">(.*?)</div>', html, re.S).group(1)
    assert "校验" in error
    assert set(described_by(tag)) <= ids_in(html)
    assert "aria-invalid" not in widget_of(html, "certificate_number")
