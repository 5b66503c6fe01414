"""The application's history (办理记录) names every action and changed field in words, never by its code."""

import pytest
from django.utils import translation

from tqr.core.templatetags.tqr import changed_fields, event_label
from tqr.rules import flow


@pytest.mark.parametrize("code", [t.action for t in flow.TRANSITIONS] + ["create", "edit", "photo", "check"])
def test_every_action_of_the_history_has_a_name(code):
    label = event_label(code)
    assert label and label != code


def test_the_district_and_city_steps_read_as_on_the_teachers_timeline():
    assert event_label("review") == "区县初审完成"
    assert event_label("publish") == "列入公示"
    assert event_label("finalise") == "终审通过"


def test_the_schools_check_and_its_fields_read_as_words():
    assert event_label("check") == "学校核验"
    assert changed_fields({"checklist": [{}, {}], "facts": [{}, {}]}) == "材料核验、核对的信息"
    assert changed_fields({"conclusion": ["", "qualified"]}) == "初审结论"


def test_an_unknown_code_is_shown_as_it_is():
    assert event_label("no_such_action") == "no_such_action"


def test_in_english_the_names_are_english():
    with translation.override("en"):
        assert event_label("publish") != "列入公示"
        assert changed_fields({"checklist": [{}, {}]}) != "材料核验"
