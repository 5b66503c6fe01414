"""Resident IDs (GB 11643) and certificate numbers: tables for each code, properties for the maths."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tqr.rules.identifiers import (
    CERT_TYPES,
    POST_LEVEL_LABELS,
    CertificateInfo,
    Issue,
    decode_certificate,
    gender_mismatch,
    make_certificate_number,
    make_resident_id,
    mask_resident_id,
    normalise,
    resident_id_birth_date,
    resident_id_check_char,
    resident_id_gender,
    validate_certificate_number,
    validate_resident_id,
)

OPENS = date(2023, 11, 6)
# Published GB 11643 examples (the standard's own, and a widely used test number ending in X).
KNOWN_VALID = ["11010519491231002X", "440524188001010014"]


def codes(issues: list[Issue]) -> set[str]:
    return {issue.code for issue in issues}


# --- normalise -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("５００１１４１９９００４１３５８３８", "500114199004135838"),  # full-width digits
        ("50011419820602535x", "50011419820602535X"),
        ("50011419820602535ｘ", "50011419820602535X"),  # full-width x
        (" 500114 19820602 535X\t\n", "50011419820602535X"),
        ("500114\u300019820602\u00a0535X", "50011419820602535X"),  # ideographic space, NBSP
        ("500114-19820602–535X", "50011419820602535X"),  # hyphen and en dash from Word
        ("500114\u201019820602\u2011535X", "50011419820602535X"),  # Unicode hyphens
        ("500114\uff0d19820602\u2014535X", "50011419820602535X"),  # full-width hyphen, em dash
        ("\ufeff500114\u200b19820602535X", "50011419820602535X"),  # BOM, zero-width space
        ("2004 5024 6417 86661", "20045024641786661"),
    ],
)
def test_normalise_folds_what_people_paste(raw, clean):
    assert normalise(raw) == clean


def test_normalise_rejects_non_strings():
    with pytest.raises(TypeError):
        normalise(500114199004135838)


# --- resident ID ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_ids_pass(number):
    assert validate_resident_id(number) == []


def test_check_char_follows_gb11643():
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002", {"ID_FORMAT"}),  # 17 characters
        ("1101051949123100211", {"ID_FORMAT"}),  # 19
        ("11010519491231002Y", {"ID_FORMAT"}),
        ("X10105194912310029", {"ID_FORMAT"}),  # X only at the end
        ("", {"ID_FORMAT"}),
        ("11010519491231002x", set()),  # lower-case x accepted
        ("110105194912310021", {"ID_CHECKSUM"}),
        (make_resident_id("500114", date(1990, 1, 1), 1)[:10] + "0230" + "0011", {"ID_BIRTHDATE", "ID_CHECKSUM"}),
    ],
)
def test_resident_id_codes(value, expected):
    assert codes(validate_resident_id(value, not_after=OPENS)) == expected


def _with_birth(text: str) -> str:
    """A correctly check-summed ID whose birth-date digits are ``text`` (which may be no real date)."""
    first17 = f"500114{text}123"
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900100", "20230229", "00000101"])
def test_impossible_birth_dates_are_id_birthdate(birth):
    issues = validate_resident_id(_with_birth(birth))
    assert codes(issues) == {"ID_BIRTHDATE"}
    assert issues[0].field == "teacher.id_number"
    assert birth in issues[0].message


def test_feb_29_of_a_leap_year_is_a_real_birth_date():
    assert validate_resident_id(_with_birth("20000229")) == []


def test_birth_after_the_application_opens_is_id_birthdate():
    assert validate_resident_id(_with_birth("20231106"), not_after=OPENS) == []
    assert codes(validate_resident_id(_with_birth("20231107"), not_after=OPENS)) == {"ID_BIRTHDATE"}
    assert validate_resident_id(_with_birth("20231107")) == []  # no bound given


def test_birth_date_and_gender_are_read_from_the_id():
    number = make_resident_id("500114", date(1982, 6, 2), 535)
    assert resident_id_birth_date(number) == date(1982, 6, 2)
    assert resident_id_gender(number) == "male"
    assert resident_id_gender(make_resident_id("500114", date(1982, 6, 2), 536)) == "female"
    with pytest.raises(ValueError):
        resident_id_birth_date("123")


def test_issue_as_dict_leaves_out_a_missing_field():
    assert Issue("X", "m", "teacher.id_number").as_dict() == {"field": "teacher.id_number", "code": "X", "message": "m"}
    assert Issue("W", "m").as_dict() == {"code": "W", "message": "m"}


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("50011419820602535X", "500114********535X"),
        ("50011419820602535x", "500114********535X"),
        ("500114820602123", "500114******123"),  # first-generation 15-digit ID
        ("12345", "*****"),
    ],
)
def test_mask(value, masked):
    assert mask_resident_id(value) == masked


def test_make_resident_id_rejects_bad_parts():
    with pytest.raises(ValueError):
        make_resident_id("50011", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_resident_id("500114", date(1990, 1, 1), 1000)


# --- properties ----------------------------------------------------------------------------------

areas = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=OPENS)
seqs = st.integers(min_value=0, max_value=999)
valid_ids = st.builds(make_resident_id, areas, births, seqs)


@given(valid_ids)
def test_every_generated_id_passes(number):
    assert validate_resident_id(number, not_after=OPENS) == []


@given(valid_ids, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_any_single_character_change_fails(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = alphabet.index(number[position])
    new = alphabet[(old + shift) % len(alphabet)]
    if new == number[position]:
        new = alphabet[(old + 1) % len(alphabet)]
    changed = number[:position] + new + number[position + 1 :]
    # The weights are all non-zero mod 11, so any one changed digit breaks the check character.
    assert "ID_CHECKSUM" in codes(validate_resident_id(changed, not_after=OPENS))


@given(areas, births, seqs)
def test_mask_never_shows_the_birth_date(area, birth, seq):
    number = make_resident_id(area, birth, seq)
    masked = mask_resident_id(number)
    assert len(masked) == 18
    assert masked[6:14] == "*" * 8
    assert masked[:6] == area and masked[-4:] == number[-4:]
    assert f"{birth:%Y%m%d}" not in masked


@given(valid_ids)
def test_normalised_id_with_noise_is_still_valid(number):
    noisy = " " + number[:6] + "-" + number[6:14] + "\u3000" + number[14:].lower() + "\u00a0"
    assert normalise(noisy) == number
    assert validate_resident_id(noisy) == []


# --- certificate numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20045024641786661", set()),
        ("200450246417866", set()),  # legacy 15 digits: format check only
        ("2004502464178666", {"CERT_FORMAT"}),  # 16
        ("200450246417866611", {"CERT_FORMAT"}),  # 18
        ("2004502464178666X", {"CERT_FORMAT"}),
        ("", {"CERT_FORMAT"}),
        ("20045024601786661", {"CERT_TYPE"}),  # type 0
        ("20045024681786661", {"CERT_TYPE"}),  # type 8
        ("20045024671786661", set()),  # 7 is a valid type (out of scope, not an error)
        ("20245024641786661", {"CERT_YEAR"}),  # certified after the round year
        ("20235024641786661", set()),  # the round year itself
        ("20245024691786661", {"CERT_TYPE", "CERT_YEAR"}),
    ],
)
def test_certificate_codes(value, expected):
    issues = validate_certificate_number(value, round_year=2023)
    assert codes(issues) == expected
    assert all(issue.field == "teacher.certificate_number" for issue in issues)


def test_certificate_year_is_not_checked_without_a_round():
    assert validate_certificate_number("20995024641786661") == []


def test_decode_certificate():
    assert decode_certificate("2004 5024 6417 86661") == CertificateInfo(
        legacy=False, year=2004, province="50", body="246", type_digit="4", type="senior",
        gender="male", serial="786661",
    )
    assert decode_certificate("20045024640786661").gender == "female"
    assert decode_certificate("20045024642786661").gender is None
    assert decode_certificate("20045024641786661").type_label == "高级中学"
    assert decode_certificate("200450246417866") == CertificateInfo(legacy=True)
    with pytest.raises(ValueError):
        decode_certificate("123")


def test_cert_types_and_labels():
    assert CERT_TYPES == {
        "1": "kindergarten", "2": "primary", "3": "junior", "4": "senior", "5": "vocational",
        "6": "vocational_practice", "7": "higher",
    }
    assert [POST_LEVEL_LABELS[level] for level in CERT_TYPES.values()] == [
        "幼儿园", "小学", "初级中学", "高级中学", "中等职业学校", "中职实习指导", "高等学校",
    ]


@pytest.mark.parametrize(
    ("id_seq", "gender_digit", "warns"),
    [(123, 1, False), (124, 0, False), (123, 0, True), (124, 1, True), (123, 2, False)],
)
def test_gender_mismatch(id_seq, gender_digit, warns):
    number = make_resident_id("500114", date(1988, 5, 17), id_seq)
    cert = make_certificate_number(2010, 50, 114, 4, gender_digit, 1)
    issue = gender_mismatch(number, cert)
    assert (issue is not None) == warns
    if issue:
        assert issue.code == "GENDER_MISMATCH" and issue.field is None and "不影响注册" in issue.message


def test_gender_mismatch_is_silent_for_bad_or_legacy_numbers():
    bad_id = "110105194912310021"  # wrong check character: its gender digit cannot be trusted
    assert gender_mismatch(bad_id, make_certificate_number(2010, 50, 114, 4, 0, 1)) is None
    assert gender_mismatch(KNOWN_VALID[0], "200450246417866") is None
    assert gender_mismatch(KNOWN_VALID[0], "123") is None


def test_make_certificate_number():
    assert make_certificate_number(2004, "50", "246", "4", "1", "786661") == "20045024641786661"
    assert make_certificate_number(2004, 50, 246, 4, 1, 786661) == "20045024641786661"
    assert make_certificate_number(2010, 50, 1, 2, 0, 7) == "20105000120000007"
    with pytest.raises(ValueError):
        make_certificate_number(2004, 500, 246, 4, 1, 1)
    with pytest.raises(ValueError):
        make_certificate_number(2004, 50, 246, 4, 1, 1234567)
