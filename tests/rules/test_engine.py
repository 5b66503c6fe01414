"""The rules engine, table-driven: one row per code and scope reason, each a valid base case with one change."""

from __future__ import annotations

from datetime import date

import pytest

from tests.rules.rule_builders import CERT_NUMBER, DELETE, ID_NUMBER, base_case, codes, set_path
from tqr.rules.codes import ERRORS, REASONS, SCOPE_REASONS, WARNINGS, severity
from tqr.rules.engine import (
    CaseError,
    RuleSettings,
    certificate_covers,
    counted_years,
    evaluate,
    evaluate_dict,
    one_year_after,
    parse_case,
)
from tqr.rules.identifiers import make_certificate_number, make_resident_id

OUTPUT_KEYS = [
    "case", "valid", "errors", "warnings", "in_scope", "scope_reason", "kind", "register_at", "proposal", "reasons",
]


def cert(type_digit: int, gender_digit: int = 1, year: int = 2010) -> str:
    return make_certificate_number(year, 50, 114, type_digit, gender_digit, 1234)


def test_the_base_case_is_valid_in_scope_and_qualified():
    got = evaluate_dict(base_case())
    assert list(got) == OUTPUT_KEYS
    assert got == {
        "case": "base", "valid": True, "errors": [], "warnings": [], "in_scope": True, "scope_reason": None,
        "kind": "periodic", "register_at": "500114001", "proposal": "qualified", "reasons": [],
    }


# --- identifier errors ---------------------------------------------------------------------------

ERROR_ROWS = [
    ("ID_FORMAT", {"teacher.id_number": "50011419880517123"}),
    ("ID_CHECKSUM", {"teacher.id_number": ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")}),
    ("ID_BIRTHDATE", {"teacher.id_number": make_resident_id("500114", date(2023, 11, 7), 123)}),
    ("CERT_FORMAT", {"teacher.certificate_number": "2010501144112345"}),
    ("CERT_TYPE", {"teacher.certificate_number": cert(9)}),
    ("CERT_YEAR", {"teacher.certificate_number": cert(4, year=2024)}),
]


@pytest.mark.parametrize(("code", "changes"), ERROR_ROWS, ids=[row[0] for row in ERROR_ROWS])
def test_identifier_error(code, changes):
    got = evaluate_dict(base_case(**changes))
    assert codes(got["errors"]) == {code}
    assert got["valid"] is False
    assert (got["in_scope"], got["scope_reason"], got["kind"], got["register_at"], got["proposal"]) == (None,) * 5
    assert got["reasons"] == []
    assert got["errors"][0]["field"].startswith("teacher.")


def test_every_error_code_has_a_row():
    assert {row[0] for row in ERROR_ROWS} == set(ERRORS)


def test_all_identifier_errors_are_reported_together():
    got = evaluate_dict(
        base_case(**{"teacher.id_number": "123", "teacher.certificate_number": cert(0, year=2030)})
    )
    assert codes(got["errors"]) == {"ID_FORMAT", "CERT_TYPE", "CERT_YEAR"}


def test_errors_win_over_scope():
    got = evaluate_dict(base_case(**{"teacher.id_number": "123", "teacher.special_post": "unconverted"}))
    assert got["valid"] is False and got["scope_reason"] is None


def test_pasted_identifiers_are_normalised_before_checking():
    spaced = ID_NUMBER[:6] + " " + ID_NUMBER[6:].lower()
    got = evaluate_dict(base_case(**{"teacher.id_number": spaced, "teacher.certificate_number": "２０１０" + CERT_NUMBER[4:]}))
    assert got["valid"] is True


# --- warning -------------------------------------------------------------------------------------


def test_gender_mismatch_warns_but_does_not_block():
    got = evaluate_dict(base_case(**{"teacher.certificate_number": cert(4, gender_digit=0)}))
    assert codes(got["warnings"]) == {"GENDER_MISMATCH"} == set(WARNINGS)
    assert got["valid"] is True and got["proposal"] == "qualified"
    assert "field" not in got["warnings"][0]


def test_gender_mismatch_also_shows_when_out_of_scope():
    got = evaluate_dict(base_case(**{"teacher.certificate_number": cert(4, gender_digit=0), "teacher.in_post": False}))
    assert codes(got["warnings"]) == {"GENDER_MISMATCH"} and got["scope_reason"] == "OUT_NOT_IN_POST"


# --- scope ---------------------------------------------------------------------------------------

SCOPE_ROWS = [
    ("OUT_HIGHER_ED_CERT", {"teacher.certificate_number": cert(7)}),
    ("OUT_OWNERSHIP", {"teacher.unit.ownership": "industry"}),
    ("OUT_NOT_IN_POST", {"teacher.on_payroll": False}),
    ("OUT_NO_TEACHER_TITLE", {"teacher.unit.kind": "inspectorate", "teacher.teacher_post_title": False}),
    ("OUT_SPECIAL_POST", {"teacher.special_post": "unconverted"}),
    ("OUT_NEW_TEACHER", {"teacher.new_teacher": {"probation_passed": False, "pre_service_training_done": True}}),
    ("OUT_LAST_UNQUALIFIED", {"last_registration.conclusion": "unqualified"}),
    ("OUT_NOT_DUE", {"last_registration.valid_until": "2026-12-01"}),
]


@pytest.mark.parametrize(("code", "changes"), SCOPE_ROWS, ids=[row[0] for row in SCOPE_ROWS])
def test_scope_reason(code, changes):
    got = evaluate_dict(base_case(**changes))
    assert (got["valid"], got["in_scope"], got["scope_reason"]) == (True, False, code)
    assert (got["kind"], got["register_at"], got["proposal"], got["reasons"]) == (None, None, None, [])


def test_every_scope_reason_has_a_row_in_the_contract_order():
    assert [row[0] for row in SCOPE_ROWS] == list(SCOPE_REASONS)


def test_scope_reasons_are_checked_in_order():
    # Stack the conditions of rows i..end: row i, the earliest, is the one reported.
    for i, (code, _changes) in enumerate(SCOPE_ROWS):
        stacked = {path: value for _code, row in SCOPE_ROWS[i:] for path, value in row.items()}
        assert evaluate_dict(base_case(**stacked))["scope_reason"] == code


@pytest.mark.parametrize(
    ("changes", "settings", "reason"),
    [
        ({"teacher.unit.ownership": "private"}, RuleSettings(), "OUT_OWNERSHIP"),
        ({"teacher.unit.ownership": "private"}, RuleSettings(include_private=True), None),
        ({"teacher.unit.ownership": "industry"}, RuleSettings(include_private=True), "OUT_OWNERSHIP"),
        ({"teacher.in_post": False}, RuleSettings(), "OUT_NOT_IN_POST"),
        ({"teacher.unit.kind": "tv_university", "teacher.teacher_post_title": False}, RuleSettings(), "OUT_NO_TEACHER_TITLE"),
        ({"teacher.unit.kind": "teacher_development_center", "teacher.teacher_post_title": False}, RuleSettings(), "OUT_NO_TEACHER_TITLE"),
        ({"teacher.unit.kind": "inspectorate", "teacher.teacher_post_title": True}, RuleSettings(), None),
        ({"teacher.unit.kind": "school", "teacher.teacher_post_title": False}, RuleSettings(), None),
        ({"teacher.unit.kind": "vocational_center", "teacher.teacher_post_title": False}, RuleSettings(), None),
        ({"teacher.special_post": "converted"}, RuleSettings(), None),
        ({"teacher.new_teacher": {"probation_passed": True, "pre_service_training_done": False}}, RuleSettings(), "OUT_NEW_TEACHER"),
        ({"teacher.new_teacher": {"probation_passed": True, "pre_service_training_done": True}}, RuleSettings(), None),
        # Due: still valid on 2024-11-05 but not on 2024-11-06, the same day one year after opening.
        ({"last_registration.valid_until": "2024-11-05"}, RuleSettings(), None),
        ({"last_registration.valid_until": "2024-11-06"}, RuleSettings(), "OUT_NOT_DUE"),
        # Only a qualified registration is "not due"; a deferred one may re-apply whenever it is ready.
        ({"last_registration": {"conclusion": "deferred", "valid_until": "2026-12-01"}}, RuleSettings(), None),
        # A legacy certificate's type comes from certificate_type.
        ({"teacher.certificate_number": "201050114412345", "teacher.certificate_type": "higher"}, RuleSettings(), "OUT_HIGHER_ED_CERT"),
    ],
)
def test_scope_edges(changes, settings, reason):
    got = evaluate_dict(base_case(**changes), settings)
    assert got["scope_reason"] == reason
    assert got["in_scope"] is (reason is None)


@pytest.mark.parametrize(
    ("opens", "valid_until", "due"),
    [
        ("2024-02-29", "2025-02-27", True),
        ("2024-02-29", "2025-02-28", False),  # no 29 Feb in 2025: the month's last day stands in
        ("2023-02-28", "2024-02-27", True),
        ("2023-02-28", "2024-02-28", False),
    ],
)
def test_not_due_around_29_february(opens, valid_until, due):
    got = evaluate_dict(
        base_case(**{"round.application_opens": opens, "round.year": int(opens[:4]), "last_registration.valid_until": valid_until})
    )
    assert got["in_scope"] is due


def test_one_year_after():
    assert one_year_after(date(2023, 11, 6)) == date(2024, 11, 6)
    assert one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)


# --- kind and register_at ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "kind"),
    [
        (None, "first"),
        ({"conclusion": "qualified", "valid_until": "2023-12-07"}, "periodic"),
        ({"conclusion": "deferred", "valid_until": "2022-12-09"}, "reapply"),
    ],
)
def test_kind(last, kind):
    assert evaluate_dict(base_case(last_registration=last))["kind"] == kind


def test_seconded_teacher_registers_at_the_lending_unit():
    assert evaluate_dict(base_case(**{"teacher.seconded_from": "500114077"}))["register_at"] == "500114077"
    assert evaluate_dict(base_case())["register_at"] == "500114001"


# --- reasons -------------------------------------------------------------------------------------

REASON_ROWS = [
    ("U1", {"period.ethics": "serious_violation"}),
    ("U2", {"period.annual_assessments.2020": "unqualified", "period.annual_assessments.2021": "unqualified"}),
    ("U3", {"period.qualification_status": "revoked"}),
    ("D1", {"period.training_hours": 359}),
    ("D2", {"period.interruptions": [{"days": 141, "approved": None}]}),
    ("D3", {"period.annual_assessments.2020": "unqualified"}),
    ("R1", {"period.ethics": "violation"}),
    ("R2", {"period.annual_assessments.2019": "basic"}),
    ("R3", {"period.health": "unfit"}),
    ("R4", {"period.annual_assessments.2021": DELETE}),
    ("R5", {"teacher.certificate_number": cert(2)}),
]


@pytest.mark.parametrize(("code", "changes"), REASON_ROWS, ids=[row[0] for row in REASON_ROWS])
def test_reason(code, changes):
    got = evaluate_dict(base_case(**changes))
    assert codes(got["reasons"]) == {code}
    assert got["proposal"] == REASONS[code].outcome
    reason = got["reasons"][0]
    assert reason["clause"] == REASONS[code].clause
    assert reason["message"] and reason["evidence"]


def test_every_reason_code_has_a_row():
    assert [row[0] for row in REASON_ROWS] == list(REASONS)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"period.training_hours": 360}, set()),
        ({"period.training_hours": 359.5}, {"D1"}),
        ({"period.training_hours": 0, "last_registration": None}, set()),  # first registration: no hours rule
        ({"period.training_hours": 300, "last_registration.conclusion": "deferred"}, {"D1"}),
        ({"period.interruptions": [{"days": 140, "approved": None}]}, set()),  # exactly one semester
        ({"period.interruptions": [{"days": 400, "approved": "study"}]}, set()),
        ({"period.interruptions": [{"days": 400, "approved": "other_approved"}, {"days": 10, "approved": None}]}, set()),
        ({"period.qualification_status": "lost"}, {"U3"}),
        # Two separate unqualified years: deferred, not unqualified.
        ({"period.annual_assessments.2018": "unqualified", "period.annual_assessments.2020": "unqualified"}, {"D3"}),
        # A run and a lone year: U2 for the run, D3 for the lone one.
        (
            {
                "period.annual_assessments.2018": "unqualified",
                "period.annual_assessments.2019": "unqualified",
                "period.annual_assessments.2021": "unqualified",
            },
            {"U2", "D3"},
        ),
        # A run at the end of the period counts as much as one in the middle.
        ({"period.annual_assessments.2021": "unqualified", "period.annual_assessments.2022": "unqualified"}, {"U2"}),
        ({"period.annual_assessments": {y: "unqualified" for y in ("2018", "2019", "2020", "2021", "2022")}}, {"U2"}),
        # A gap breaks the run: 2019 and 2021 are not consecutive.
        (
            {"period.annual_assessments.2019": "unqualified", "period.annual_assessments.2020": DELETE,
             "period.annual_assessments.2021": "unqualified"},
            {"D3", "R4"},
        ),
        # Years outside the counted five do not count.
        ({"period.annual_assessments.2017": "unqualified", "period.annual_assessments.2016": "unqualified"}, set()),
        ({"period.annual_assessments.2023": "unqualified"}, set()),
        # null stands for "no assessment".
        ({"period.annual_assessments.2018": None}, {"R4"}),
    ],
)
def test_reason_edges(changes, expected):
    assert codes(evaluate_dict(base_case(**changes))["reasons"]) == expected


def test_reason_evidence_carries_the_numbers():
    got = evaluate_dict(
        base_case(
            **{
                "period.training_hours": 300,
                "period.interruptions": [{"days": 30, "approved": None}, {"days": 200, "approved": None}],
                "period.annual_assessments.2018": "unqualified",
                "period.annual_assessments.2019": "unqualified",
                "period.annual_assessments.2021": "unqualified",
                "period.annual_assessments.2022": "basic",
                "period.annual_assessments.2020": DELETE,
            }
        )
    )
    by_code = {r["code"]: r for r in got["reasons"]}
    assert by_code["D1"]["evidence"] == {"training_hours": 300, "required": 360}
    assert by_code["D1"]["message"] == "培训学时 300，需满 360 学时，按规定将暂缓注册"
    assert by_code["D2"]["evidence"] == {"interruptions": [{"index": 1, "days": 200}], "semester_days": 140}
    assert by_code["U2"]["evidence"] == {"years": [2018, 2019], "runs": [[2018, 2019]]}
    assert by_code["D3"]["evidence"] == {"years": [2021]}
    assert by_code["R2"]["evidence"] == {"years": [2022]}
    assert by_code["R4"]["evidence"] == {"missing_years": [2020], "counted_years": [2018, 2019, 2020, 2021, 2022]}
    assert "2018、2019" in by_code["U2"]["message"]
    assert got["proposal"] == "unqualified"
    # Reasons come most severe first.
    assert [r["code"] for r in got["reasons"]] == ["U2", "D1", "D2", "D3", "R2", "R4"]


def test_settings_change_the_thresholds():
    case = base_case(**{"period.training_hours": 372, "period.interruptions": [{"days": 200, "approved": None}]})
    assert codes(evaluate_dict(case)["reasons"]) == {"D2"}
    strict = RuleSettings(required_training_hours=400, semester_days=250)
    got = evaluate_dict(case, strict)
    assert codes(got["reasons"]) == {"D1"}
    assert got["reasons"][0]["evidence"] == {"training_hours": 372, "required": 400}


@pytest.mark.parametrize(
    "bad", [{"required_training_hours": -1}, {"semester_days": 0}, {"include_private": "yes"}, {"semester_days": 1.5}]
)
def test_settings_reject_nonsense(bad):
    with pytest.raises(ValueError):
        RuleSettings(**bad)


@pytest.mark.parametrize(
    ("changes", "proposal"),
    [
        ({"period.ethics": "serious_violation", "period.training_hours": 0, "period.health": "unfit"}, "unqualified"),
        ({"period.training_hours": 0, "period.health": "unfit"}, "deferred"),
        ({"period.annual_assessments.2019": "basic", "period.health": "unfit"}, "needs_review"),
        ({"period.qualification_status": "lost", "period.ethics": "violation"}, "unqualified"),
    ],
)
def test_the_most_severe_reason_sets_the_proposal(changes, proposal):
    assert evaluate_dict(base_case(**changes))["proposal"] == proposal


def test_severity_orders_the_proposals():
    assert [severity(p) for p in ("qualified", "needs_review", "deferred", "unqualified")] == [0, 1, 2, 3]


# --- which years count ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "years"),
    [
        ({}, (2018, 2019, 2020, 2021, 2022)),
        ({"last_registration.conclusion": "deferred"}, (2018, 2019, 2020, 2021, 2022)),
        ({"last_registration": None}, (2022,)),
        ({"last_registration": None, "teacher.new_teacher": {"probation_passed": True, "pre_service_training_done": True}}, ()),
        ({"round.year": 2025, "round.application_opens": "2025-11-03"}, (2020, 2021, 2022, 2023, 2024)),
    ],
)
def test_counted_years(changes, years):
    assert counted_years(parse_case(base_case(**changes))) == years


def test_first_registration_needs_last_years_assessment():
    first = {"last_registration": None, "period.annual_assessments": {}}
    assert codes(evaluate_dict(base_case(**first))["reasons"]) == {"R4"}
    assert codes(evaluate_dict(base_case(**first, **{"period.annual_assessments.2022": "qualified"}))["reasons"]) == set()
    assert codes(evaluate_dict(base_case(**first, **{"period.annual_assessments.2022": "unqualified"}))["reasons"]) == {"D3"}


def test_a_new_teachers_probation_stands_in_for_the_annual_assessment():
    new = {
        "last_registration": None,
        "period.annual_assessments": {},
        "period.training_hours": 0,
        "teacher.new_teacher": {"probation_passed": True, "pre_service_training_done": True},
    }
    got = evaluate_dict(base_case(**new))
    assert (got["kind"], got["proposal"], got["reasons"]) == ("first", "qualified", [])


# --- R5: does the certificate cover the post? ----------------------------------------------------

LEVELS = ["kindergarten", "primary", "junior", "senior", "vocational", "vocational_practice"]
COVERS = {
    # certificate → posts it covers (《教师资格条例》第五条)
    "kindergarten": {"kindergarten"},
    "primary": {"kindergarten", "primary"},
    "junior": {"kindergarten", "primary", "junior"},
    "senior": {"kindergarten", "primary", "junior", "senior", "vocational"},
    "vocational": {"kindergarten", "primary", "junior", "senior", "vocational"},
    "vocational_practice": {"vocational_practice"},
}


@pytest.mark.parametrize("certificate", LEVELS)
@pytest.mark.parametrize("post", LEVELS)
def test_certificate_coverage(certificate, post):
    assert certificate_covers(certificate, post) is (post in COVERS[certificate])
    digit = LEVELS.index(certificate) + 1
    got = evaluate_dict(base_case(**{"teacher.certificate_number": cert(digit), "teacher.post_level": post}))
    assert ("R5" in codes(got["reasons"])) is (post not in COVERS[certificate])


def test_a_legacy_certificate_uses_its_declared_type():
    legacy = {"teacher.certificate_number": "201050114412345"}
    assert codes(evaluate_dict(base_case(**legacy, **{"teacher.certificate_type": "senior"}))["reasons"]) == set()
    assert codes(evaluate_dict(base_case(**legacy, **{"teacher.certificate_type": "primary"}))["reasons"]) == {"R5"}
    # Without a declared type nobody can tell whether it covers the post: a reviewer checks the paper.
    got = evaluate_dict(base_case(**legacy))
    assert codes(got["reasons"]) == {"R5"}
    assert got["reasons"][0]["evidence"] == {"certificate_type": None, "post_level": "senior"}


def test_a_17_digit_number_wins_over_a_declared_type():
    got = evaluate_dict(base_case(**{"teacher.certificate_number": cert(2), "teacher.certificate_type": "senior"}))
    assert codes(got["reasons"]) == {"R5"}


# --- malformed input -----------------------------------------------------------------------------

REQUIRED_PATHS = [
    "round", "round.year", "round.application_opens", "teacher", "teacher.name", "teacher.id_number",
    "teacher.certificate_number", "teacher.post_level", "teacher.unit", "teacher.unit.code", "teacher.unit.kind",
    "teacher.unit.ownership", "teacher.on_payroll", "teacher.in_post", "teacher.teacher_post_title",
    "teacher.special_post", "teacher.new_teacher", "teacher.seconded_from", "last_registration", "period",
    "period.annual_assessments", "period.training_hours", "period.ethics", "period.interruptions", "period.health",
    "period.qualification_status",
]


@pytest.mark.parametrize("path", REQUIRED_PATHS)
def test_a_missing_field_is_named(path):
    with pytest.raises(CaseError) as caught:
        parse_case(base_case(**{path: DELETE}))
    assert caught.value.field == path
    assert path in str(caught.value) and "缺失" in str(caught.value) and "missing" in str(caught.value)
    assert "「base」" in str(caught.value)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("round.year", "2023"),
        ("round.year", True),
        ("round.year", 2023.0),
        ("round.application_opens", "2023/11/06"),
        ("round.application_opens", "2023-02-30"),
        ("round.application_opens", 20231106),
        ("teacher.name", None),
        ("teacher.id_number", 500114199004135838),
        ("teacher.certificate_number", None),
        ("teacher.certificate_type", "university"),
        ("teacher.certificate_type", 4),
        ("teacher.post_level", "higher"),  # a post is never at a university here
        ("teacher.post_level", "Senior"),
        ("teacher.unit", "500114001"),
        ("teacher.unit.code", ""),
        ("teacher.unit.kind", "university"),
        ("teacher.unit.ownership", "state"),
        ("teacher.on_payroll", "true"),
        ("teacher.in_post", 1),
        ("teacher.teacher_post_title", None),
        ("teacher.special_post", None),
        ("teacher.new_teacher", True),
        ("teacher.new_teacher.probation_passed", "yes"),
        ("teacher.seconded_from", 500114077),
        ("teacher.seconded_from", ""),
        ("last_registration", "qualified"),
        ("last_registration.conclusion", "needs_review"),
        ("last_registration.valid_until", "2023-12"),
        ("period", []),
        ("period.annual_assessments", ["qualified"]),
        ("period.annual_assessments.2020", "good"),
        ("period.annual_assessments.2020", 1),
        ("period.training_hours", "372"),
        ("period.training_hours", -1),
        ("period.training_hours", float("nan")),
        ("period.ethics", "bad"),
        ("period.interruptions", {}),
        ("period.interruptions[0]", 200),
        ("period.interruptions[0].days", 200.5),
        ("period.interruptions[0].days", -1),
        ("period.interruptions[0].approved", "holiday"),
        ("period.health", True),
        ("period.qualification_status", "expired"),
        ("case", 7),
    ],
)
def test_a_wrong_value_is_named(path, value):
    case = base_case(**{"period.interruptions": [{"days": 30, "approved": "sick"}]})
    if path == "teacher.new_teacher.probation_passed":
        case["teacher"]["new_teacher"] = {"probation_passed": True, "pre_service_training_done": True}
    set_path(case, path, value)
    with pytest.raises(CaseError) as caught:
        parse_case(case)
    assert caught.value.field == path
    assert path in caught.value.message


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("teacher.gender", "teacher.gender"),
        ("period.training_hour", "period.training_hour"),
        ("expected", "expected"),
        ("period.interruptions[0].reason", "period.interruptions[0].reason"),
    ],
)
def test_an_unknown_field_is_named(path, field):
    case = base_case(**{"period.interruptions": [{"days": 30, "approved": None}]})
    set_path(case, path, "x")
    with pytest.raises(CaseError) as caught:
        parse_case(case)
    assert caught.value.field == field


@pytest.mark.parametrize("key", ["20x0", "99", "year2020", ""])
def test_a_bad_year_key_is_named(key):
    case = base_case()
    case["period"]["annual_assessments"][key] = "qualified"
    with pytest.raises(CaseError) as caught:
        parse_case(case)
    assert caught.value.field == f"period.annual_assessments.{key}"


@pytest.mark.parametrize("obj", [None, [], "case", 3])
def test_a_case_must_be_an_object(obj):
    with pytest.raises(CaseError) as caught:
        parse_case(obj)
    assert caught.value.field == ""
    assert "应为对象" in str(caught.value) and "expected an object" in str(caught.value)


def test_optional_parts_may_be_left_out_or_null():
    case = base_case(**{"case": DELETE, "period.interruptions": [{"days": 3, "approved": None}]})
    assert evaluate_dict(case)["case"] is None
    assert parse_case(base_case(**{"teacher.certificate_type": None})).teacher.certificate_type is None


def test_python_callers_may_use_int_years():
    case = base_case()
    case["period"]["annual_assessments"] = {2018: "qualified", 2019: "qualified", 2020: "qualified", 2021: "qualified", 2022: "qualified"}
    assert evaluate_dict(case)["proposal"] == "qualified"
    case["period"]["annual_assessments"]["2018"] = "qualified"
    with pytest.raises(CaseError):
        parse_case(case)


def test_an_unnamed_case_error_still_reads_well():
    with pytest.raises(CaseError) as caught:
        parse_case(base_case(**{"case": DELETE, "teacher.unit.kind": "farm"}))
    assert str(caught.value).startswith("案例（未命名）：字段 teacher.unit.kind")
    assert "unnamed case: field teacher.unit.kind" in str(caught.value)


def test_evaluate_accepts_a_parsed_case():
    result = evaluate(parse_case(base_case(**{"period.training_hours": 1})))
    assert result.proposal == "deferred" and result.reasons[0].outcome == "deferred"
