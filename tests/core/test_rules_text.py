"""The rules' texts at the display edge (tqr.core.rules_text): Chinese byte for byte, English through the catalogue.

The English here comes from a small fake catalogue (the real one is filled by the translators), patched in for
``gettext`` of ``tqr.core.rules_text``: what is tested is the split into msgid + params and its rendering.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.rules.rule_builders import DELETE, base_case
from tqr.core import rules_text as edge
from tqr.core.rules_text import label, rule_text
from tqr.rules import flow, i18n
from tqr.rules.engine import evaluate, evaluate_dict, parse_case, reason_text
from tqr.rules.flow import Actor, State
from tqr.rules.identifiers import validate_resident_id
from tqr.rules.phases import PHASE_LABELS, Phase, Window, check_order, order_problems, phase_status
from tqr.rules.sampling import Member, draw, verify
from tqr.rules.workdays import UnknownCalendarYear

ENGLISH = {
    "培训学时 %(hours)s，需满 %(required)s 学时，按规定将暂缓注册":
        "%(hours)s training hours of the %(required)s required: registration will be deferred",
    "%(years)s 年年度考核不合格，按规定将暂缓注册": "Annual appraisal not qualified in %(years)s: registration will be deferred",
    "缺少 %(years)s 年的年度考核结果，请补交年度考核证明": "No annual appraisal for %(years)s: please hand in the proof",
    "身份证号码校验位错误，请逐位核对号码": "The check digit of the resident ID number is wrong: check the number digit by digit",
    "%(phase)s已于 %(date)s 截止，不能再%(action)s": "%(phase)s closed on %(date)s: you can no longer %(action)s",
    "%(phase)s将于 %(date)s 开始，届时才能%(action)s": "%(phase)s opens on %(date)s: you can %(action)s from then",
    "网上报名": "Online application",
    "现场确认": "On-site confirmation",
    "初审": "Initial review",
    "提交申请": "submit the application",
    "草稿（未提交）": "Draft (not submitted)",
    "Y年n月j日": "N j, Y",
    "、": ", ",
    "；": "; ",
    "%(closed)s已结束，等待%(upcoming)s": "%(closed)s is over; next: %(upcoming)s",
    "%(year)s 年的节假日安排尚未录入，无法计算工作日（请在管理后台录入该年的放假安排）":
        "The holidays of %(year)s are not entered yet",
    "按种子重新抽取的名单与记录不一致（%(parts)s）": "The list drawn again from the seed differs from the record (%(parts)s)",
    "记录中缺少：%(ids)s": "missing from the record: %(ids)s",
    "%(phase)s的开始日期（%(start)s）早于%(previous)s的开始日期（%(previous_start)s）":
        "%(phase)s starts (%(start)s) before %(previous)s (%(previous_start)s)",
}

WINDOWS = [
    Window(Phase.APPLICATION, date(2023, 11, 6), date(2023, 11, 16)),
    Window(Phase.CONFIRMATION, date(2023, 11, 20), date(2023, 11, 24)),
]


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setattr(edge, "gettext", lambda message: ENGLISH.get(message, message))
    with translation.override("en"):
        yield


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


def d1_case():
    return parse_case(base_case(**{"period.training_hours": 300}))


# --- English ---------------------------------------------------------------------------------------------


def test_a_d1_reason_reads_in_english_from_the_object_and_from_its_stored_dict(english):
    (reason,) = evaluate(d1_case()).reasons
    assert reason.code == "D1"
    assert reason.template == "培训学时 %(hours)s，需满 %(required)s 学时，按规定将暂缓注册"
    assert reason.params == {"hours": "300", "required": 360}
    want = "300 training hours of the 360 required: registration will be deferred"
    assert rule_text(reason) == want
    assert rule_text(reason.as_dict()) == want  # what the database keeps (Application.evaluation)


def test_listed_years_are_joined_the_english_way(english):
    case = base_case(**{"period.annual_assessments.2019": "unqualified", "period.annual_assessments.2021": "unqualified",
                        "period.annual_assessments.2020": DELETE, "period.annual_assessments.2022": DELETE})
    by_code = {r["code"]: r for r in evaluate_dict(case)["reasons"]}
    assert rule_text(by_code["D3"]) == "Annual appraisal not qualified in 2019, 2021: registration will be deferred"
    assert rule_text(by_code["R4"]) == "No annual appraisal for 2020, 2022: please hand in the proof"


def test_an_id_checksum_issue_reads_in_english(english):
    (issue,) = validate_resident_id("110101199003070000")
    assert issue.code == "ID_CHECKSUM"
    want = "The check digit of the resident ID number is wrong: check the number digit by digit"
    assert rule_text(issue) == want
    assert rule_text(issue.as_dict()) == want


def test_a_window_closed_refusal_reads_in_english_with_an_english_date(english):
    refusal = flow.check("submit", State.DRAFT, Actor.TEACHER, WINDOWS, date(2023, 11, 18))
    assert refusal.code == "window_closed"
    assert refusal.template == "%(phase)s已于 %(date)s 截止，不能再%(action)s"
    assert rule_text(refusal) == "Online application closed on Nov. 16, 2023: you can no longer submit the application"
    early = flow.check("submit", State.DRAFT, Actor.TEACHER, WINDOWS, date(2023, 11, 1))
    assert rule_text(early) == "Online application opens on Nov. 6, 2023: you can submit the application from then"


def test_phase_labels_and_status_read_in_english(english):
    assert label(PHASE_LABELS[Phase.APPLICATION]) == "Online application"
    assert rule_text(phase_status(WINDOWS, date(2023, 11, 7))) == "Online application"
    assert rule_text(phase_status(WINDOWS, date(2023, 11, 18))) == "Online application is over; next: On-site confirmation"
    rendered = Template("{% load rules_text %}{{ s|tr }} · {{ st|tr }} · {{ r|rule_text }}").render(
        Context({"s": PHASE_LABELS[Phase.INITIAL_REVIEW], "st": flow.STATE_LABELS[State.DRAFT],
                 "r": flow.can_edit(State.DRAFT, WINDOWS, date(2023, 11, 1))})
    )
    assert rendered.startswith("Initial review · Draft (not submitted) · Online application opens on Nov. 6, 2023")


def test_other_rules_messages_read_in_english(english):
    assert rule_text(UnknownCalendarYear(2099)) == "The holidays of 2099 are not entered yet"
    backwards = [Window(Phase.APPLICATION, date(2023, 11, 6), None), Window(Phase.CONFIRMATION, date(2023, 11, 1), None)]
    assert [rule_text(t) for t in order_problems(backwards)] == [
        "On-site confirmation starts (2023-11-01) before Online application (2023-11-06)"
    ]
    members = [Member(i, ("s",), "qualified") for i in range(1, 30)]
    done = draw(members, "seed")
    check = verify(members, "seed", recorded_population_hash=done.population_hash, recorded_seed_hash=done.seed_hash,
                   recorded_chosen=done.chosen[1:])
    assert [rule_text(t) for t in check.texts] == [
        f"The list drawn again from the seed differs from the record (missing from the record: {done.chosen[0]})"
    ]


def test_a_translation_that_lost_a_placeholder_falls_back_to_chinese(monkeypatch):
    monkeypatch.setattr(edge, "gettext", lambda m: "broken %(nope)s" if "%(" in m else m)
    (reason,) = evaluate(d1_case()).reasons
    with translation.override("en"):
        assert rule_text(reason) == reason.message


# --- Chinese: nothing changes ----------------------------------------------------------------------------


def test_in_chinese_every_message_is_the_rules_message_byte_for_byte(chinese):
    result = evaluate(parse_case(base_case(**{
        "period.training_hours": 300, "period.ethics": "violation", "period.annual_assessments.2020": DELETE,
        "teacher.id_number": "110101199003070000",
    })))
    for issue in result.errors + result.warnings:
        assert rule_text(issue) == issue.message and rule_text(issue.as_dict()) == issue.message
    result = evaluate(parse_case(base_case(**{"period.training_hours": 300.5, "period.ethics": "violation",
                                              "period.annual_assessments.2020": DELETE})))
    assert {r.code for r in result.reasons} == {"D1", "R1", "R4"}
    for reason in result.reasons:
        assert rule_text(reason) == reason.message == reason.text.render()
        assert rule_text(reason.as_dict()) == reason.message
    assert result.reasons[0].message == "培训学时 300.5，需满 360 学时，按规定将暂缓注册"
    refusal = flow.check("submit", State.DRAFT, Actor.TEACHER, WINDOWS, date(2023, 11, 18))
    assert rule_text(refusal) == refusal.message == "网上报名已于 2023年11月16日 截止，不能再提交申请"
    status = phase_status(WINDOWS, date(2023, 11, 18))
    assert rule_text(status) == status.label == "网上报名已结束，等待现场确认"
    assert label(PHASE_LABELS[Phase.NOTICE]) == "公示"
    assert label("") == "" and label(None) == ""


def test_a_stored_reason_keeps_its_message_as_written(chinese):
    stored = {"code": "D1", "clause": "…", "message": "旧版引擎的说法", "evidence": {"training_hours": 1, "required": 360}}
    assert rule_text(stored) == "旧版引擎的说法"


def test_every_reason_code_has_a_message_rebuilt_from_its_evidence():
    cases = {
        "U1": {"ethics": "serious_violation"}, "U2": {"years": [2018, 2019], "runs": [[2018, 2019]]},
        "U3": {"qualification_status": "revoked"}, "D1": {"training_hours": 12.5, "required": 360},
        "D2": {"interruptions": [{"index": 0, "days": 200}], "semester_days": 140}, "D3": {"years": [2020]},
        "R1": {"ethics": "violation"}, "R2": {"years": [2019]}, "R3": {"health": "unfit"},
        "R4": {"missing_years": [2020], "counted_years": [2018]}, "R5": {"certificate_type": None, "post_level": "primary"},
    }
    from tqr.rules.codes import REASONS

    assert set(cases) == set(REASONS)
    for code, evidence in cases.items():
        text = reason_text(code, evidence)
        assert text.render() and "%(" not in text.render(), code


def test_check_order_still_gives_chinese_strings():
    backwards = [Window(Phase.APPLICATION, date(2023, 11, 6), None), Window(Phase.CONFIRMATION, date(2023, 11, 1), None)]
    assert check_order(backwards) == ["现场确认的开始日期（2023-11-01）早于网上报名的开始日期（2023-11-06）"]


def test_the_rules_mark_with_a_noop():
    assert i18n.gettext_noop("公示") == "公示"
    assert i18n.Text("%(a)s、%(b)s", {"a": i18n.Join([1, 2]), "b": date(2023, 1, 2)}).render() == "1、2、2023年1月2日"
