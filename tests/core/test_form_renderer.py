"""The fast form renderer writes exactly what Django's widget templates write (tqr/core/form_renderer.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from tqr.core.form_renderer import FastRenderer

DJANGO, FAST = DjangoTemplates(), FastRenderer()
AWKWARD = ['a"b', "<b>&amp;</b>", "黔江区 第一中学", "", " spaced ", "'quote'", mark_safe("<i>safe</i>")]

WIDGETS = [
    forms.TextInput(), forms.TextInput(attrs={"maxlength": 20, "autocomplete": "off", "required": True,
                                              "disabled": False, "data-x": 'a"<b>'}),
    forms.NumberInput(attrs={"min": 0, "step": "0.5"}), forms.EmailInput(), forms.URLInput(), forms.PasswordInput(),
    forms.HiddenInput(), forms.DateInput(attrs={"type": "date"}), forms.TimeInput(), forms.DateTimeInput(),
    forms.Textarea(), forms.Textarea(attrs={"rows": 3, "cols": None}),
    forms.Select(choices=[("", "---"), ("a", "甲 <一>"), (1, "一"), (2, mark_safe("<b>二</b>"))]),
    forms.Select(choices=[("学段", [("primary", "小学"), ("junior", "初中")]), ("other", "其他")]),
    forms.Select(attrs={"class": "wide", "hx-get": "/x?a=1&b=2"}, choices=[(True, "是"), (False, "否"), (None, "？")]),
]
VALUES = [None, "", "a", 1, "1", 0, True, False, dt.date(2026, 11, 29), *AWKWARD]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_it_writes_what_the_templates_write(widget, value):
    attrs = {"id": "id_f", "aria-describedby": "h_f"}
    assert widget.render("f", value, attrs, renderer=FAST) == widget.render("f", value, attrs, renderer=DJANGO)


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=8), value=st.one_of(st.none(), st.text(max_size=12), st.integers()),
       labels=st.lists(st.text(max_size=6), max_size=4), attr=st.text(max_size=6))
def test_any_text_is_escaped_the_same_way(name, value, labels, attr):
    for widget in (forms.TextInput(attrs={"placeholder": attr}), forms.Textarea(attrs={"title": attr}),
                   forms.Select(attrs={"title": attr}, choices=[(str(i), x) for i, x in enumerate(labels)])):
        assert widget.render(name, value, renderer=FAST) == widget.render(name, value, renderer=DJANGO)


def test_a_whole_form_renders_the_same_and_other_widgets_go_to_the_templates():
    class F(forms.Form):
        a = forms.CharField(max_length=5, help_text="h")
        b = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")])
        c = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.CheckboxSelectMultiple)
        d = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect)
        e = forms.FileField()
        f = forms.BooleanField()

    fast, django = F(data={"a": "太长的一段文字", "b": "y"}, renderer=FAST), F(data={"a": "太长的一段文字", "b": "y"},
                                                                           renderer=DJANGO)
    assert str(fast) == str(django)
    assert "errorlist" in str(fast)
    # The field errors are tied to their widgets the same way on both sides (templates/applications/_field.html).
    assert 'aria-invalid="true" aria-describedby="id_a_helptext id_a_error"' in str(fast)


def test_it_is_the_projects_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastRenderer)
