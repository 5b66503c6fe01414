"""Properties of the engine over generated cases: worse conditions never give a better proposal."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.rules.rule_builders import DELETE, base_case, set_path
from tqr.rules.codes import severity
from tqr.rules.engine import APPROVALS, CaseError, case_to_dict, evaluate_dict, parse_case
from tqr.rules.identifiers import make_certificate_number, make_resident_id

GRADES = ["excellent", "qualified", "basic", "unqualified"]  # best first
YEARS = ["2018", "2019", "2020", "2021", "2022"]


@st.composite
def in_scope_cases(draw) -> dict[str, Any]:
    """Valid, in-scope cases of every kind with random grades, hours, interruptions and the rest."""
    kind = draw(st.sampled_from(["first", "new_teacher", "periodic", "reapply"]))
    post_digit = draw(st.integers(min_value=1, max_value=6))
    cert_digit = draw(st.integers(min_value=1, max_value=6))
    born = draw(st.dates(min_value=date(1960, 1, 1), max_value=date(2000, 12, 31)))
    seq = draw(st.integers(min_value=0, max_value=999))
    case = base_case(
        **{
            "teacher.id_number": make_resident_id("500114", born, seq),
            "teacher.certificate_number": make_certificate_number(2010, 50, 114, cert_digit, seq % 2, seq),
            "teacher.post_level": ["kindergarten", "primary", "junior", "senior", "vocational", "vocational_practice"][
                post_digit - 1
            ],
            "period.annual_assessments": {
                year: grade
                for year in YEARS
                if (grade := draw(st.sampled_from([*GRADES, None]))) is not None
            },
            "period.training_hours": draw(st.integers(min_value=0, max_value=600)),
            "period.ethics": draw(st.sampled_from(["good", "good", "violation", "serious_violation"])),
            "period.interruptions": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"days": st.integers(min_value=0, max_value=400), "approved": st.sampled_from([None, *APPROVALS])}
                    ),
                    max_size=3,
                )
            ),
            "period.health": draw(st.sampled_from(["fit", "fit", "unfit"])),
            "period.qualification_status": draw(st.sampled_from(["valid", "valid", "valid", "revoked", "lost"])),
            "teacher.seconded_from": draw(st.sampled_from([None, "500114077"])),
        }
    )
    if kind in ("first", "new_teacher"):
        case["last_registration"] = None
    if kind == "new_teacher":
        case["teacher"]["new_teacher"] = {"probation_passed": True, "pre_service_training_done": True}
    if kind == "reapply":
        case["last_registration"]["conclusion"] = "deferred"
    return case


def worse(case: dict[str, Any]) -> int:
    got = evaluate_dict(case)
    assert got["in_scope"] is True, got
    return severity(got["proposal"])


@given(in_scope_cases())
def test_generated_cases_are_in_scope(case):
    got = evaluate_dict(case)
    assert got["valid"] and got["in_scope"]
    assert got["proposal"] in ("qualified", "deferred", "unqualified", "needs_review")


@given(in_scope_cases(), st.integers(min_value=1, max_value=400))
def test_fewer_hours_never_help(case, fewer):
    before = worse(case)
    hours = case["period"]["training_hours"]
    after = worse(set_path(copy.deepcopy(case), "period.training_hours", max(0, hours - fewer)))
    assert after >= before


@given(in_scope_cases(), st.sampled_from(YEARS), st.integers(min_value=1, max_value=3))
def test_a_worse_year_grade_never_helps(case, year, steps):
    grades = case["period"]["annual_assessments"]
    if year not in grades:
        return  # a missing year has no grade to worsen
    before = worse(case)
    new = GRADES[min(len(GRADES) - 1, GRADES.index(grades[year]) + steps)]
    after = worse(set_path(copy.deepcopy(case), f"period.annual_assessments.{year}", new))
    assert after >= before


@given(in_scope_cases(), st.integers(min_value=141, max_value=400))
def test_a_new_long_unapproved_interruption_never_helps(case, days):
    before = worse(case)
    changed = copy.deepcopy(case)
    changed["period"]["interruptions"].append({"days": days, "approved": None})
    after = evaluate_dict(changed)
    assert severity(after["proposal"]) >= max(before, severity("deferred"))
    assert "D2" in {r["code"] for r in after["reasons"]}


@given(in_scope_cases(), st.integers(min_value=0, max_value=2000), st.sampled_from(APPROVALS))
def test_an_approved_interruption_changes_nothing(case, days, approved):
    before = evaluate_dict(case)
    changed = copy.deepcopy(case)
    changed["period"]["interruptions"].append({"days": days, "approved": approved})
    assert evaluate_dict(changed) == before


@given(in_scope_cases())
def test_parse_and_back_is_the_identity(case):
    parsed = parse_case(case)
    assert parse_case(case_to_dict(parsed)) == parsed


# Every leaf of the input, with a value of the wrong type for it.
WRONG_TYPE = {
    "case": 1,
    "round.year": "2023",
    "round.application_opens": 20231106,
    "teacher.name": 1,
    "teacher.id_number": 1,
    "teacher.certificate_number": 1,
    "teacher.post_level": "professor",
    "teacher.unit.code": 1,
    "teacher.unit.kind": "farm",
    "teacher.unit.ownership": "state",
    "teacher.on_payroll": "yes",
    "teacher.in_post": 0,
    "teacher.teacher_post_title": None,
    "teacher.special_post": True,
    "teacher.new_teacher": "no",
    "teacher.seconded_from": 1,
    "last_registration": 1,
    "last_registration.conclusion": "passed",
    "last_registration.valid_until": "someday",
    "period.annual_assessments": [],
    "period.annual_assessments.2020": "fine",
    "period.training_hours": "many",
    "period.ethics": 0,
    "period.interruptions": "none",
    "period.interruptions[0].days": "200",
    "period.interruptions[0].approved": "yes",
    "period.health": "ok",
    "period.qualification_status": None,
}
OPTIONAL = {"case"}


@given(st.sampled_from(sorted(WRONG_TYPE)), st.booleans(), st.text(max_size=8))
def test_malformed_input_raises_case_error_naming_the_field(path, delete, label):
    case = base_case(**{"case": label, "period.interruptions": [{"days": 10, "approved": None}]})
    if delete and path not in OPTIONAL and not path.startswith("period.annual_assessments."):
        set_path(case, path, DELETE)
    else:
        set_path(case, path, WRONG_TYPE[path])
    try:
        parse_case(case)
    except CaseError as error:
        assert error.field == path
        assert path in error.message
    else:
        raise AssertionError(f"{path} was accepted")


@given(in_scope_cases())
def test_u2_and_d3_follow_their_definitions(case):
    """An oracle written from the contract's words, against the engine's run-finding."""
    got = {r["code"]: r for r in evaluate_dict(case)["reasons"]}
    if case["last_registration"] is None:
        return  # first registration counts at most one year: no runs
    bad = {int(y) for y, g in case["period"]["annual_assessments"].items() if g == "unqualified"}
    in_pairs = {y for y in bad if y - 1 in bad or y + 1 in bad}
    assert ("U2" in got) is bool(in_pairs)
    if in_pairs:
        assert set(got["U2"]["evidence"]["years"]) == in_pairs
    assert ("D3" in got) is bool(bad - in_pairs)
    if bad - in_pairs:
        assert set(got["D3"]["evidence"]["years"]) == bad - in_pairs
