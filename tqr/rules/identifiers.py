"""Resident ID (居民身份证号码, GB 11643) and teacher qualification certificate numbers (教师资格证书号码).

Values typed or pasted by people are normalised first (``normalise``); the normalised value is the one
that gets stored. Validation returns a list of ``Issue`` (empty when valid) rather than raising, so a form
can show every problem at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date
from operator import mul

from .i18n import Text, gettext_noop

__all__ = [
    "CERT_TYPES",
    "CERT_TYPE_DIGITS",
    "POST_LEVEL_LABELS",
    "CertificateInfo",
    "Issue",
    "decode_certificate",
    "gender_mismatch",
    "make_certificate_number",
    "make_resident_id",
    "mask_resident_id",
    "normalise",
    "resident_id_birth_date",
    "resident_id_check_char",
    "resident_id_gender",
    "validate_certificate_number",
    "validate_resident_id",
]

ID_FIELD = "teacher.id_number"
CERT_FIELD = "teacher.certificate_number"

# Certificate type by the 10th digit of a 17-digit number; 7 (高等学校) is never in scope.
CERT_TYPES: dict[str, str] = {
    "1": "kindergarten",
    "2": "primary",
    "3": "junior",
    "4": "senior",
    "5": "vocational",
    "6": "vocational_practice",
    "7": "higher",
}
CERT_TYPE_DIGITS: dict[str, str] = {level: digit for digit, level in CERT_TYPES.items()}

POST_LEVEL_LABELS: dict[str, str] = {
    "kindergarten": gettext_noop("幼儿园"),
    "primary": gettext_noop("小学"),
    "junior": gettext_noop("初级中学"),
    "senior": gettext_noop("高级中学"),
    "vocational": gettext_noop("中等职业学校"),
    "vocational_practice": gettext_noop("中职实习指导"),
    "higher": gettext_noop("高等学校"),
}

GENDER_LABELS = {"male": gettext_noop("男"), "female": gettext_noop("女")}


@dataclass(frozen=True)
class Issue:
    """One finding about the input: an error (blocks) or a warning (informs)."""

    code: str
    message: str
    field: str | None = None
    # To translate the message where it is shown (tqr.rules.i18n); not part of the output contract.
    template: str = _field(default="", compare=False, repr=False)
    params: dict = _field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> Text:
        return Text(self.template or self.message, self.params if self.template else {})

    @classmethod
    def of(cls, code: str, text: Text, field: str | None = None) -> Issue:
        return cls(code, text.render(), field, text.template, dict(text.params))

    def as_dict(self) -> dict[str, str]:
        # Warnings carry no field in the output contract, so the key is left out rather than null.
        out = {"code": self.code, "message": self.message}
        if self.field is not None:
            out = {"field": self.field, **out}
        return out


# --- normalisation -------------------------------------------------------------------------------

# Dashes that Word, WPS and web forms turn a plain "-" into; NFKC folds U+FF0D and U+FE63 to "-" first.
_DASHES = "-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58"
# Zero-width characters are not whitespace to str.isspace() but come along with pasted text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_DROP = str.maketrans("", "", _DASHES + _INVISIBLE)


def normalise(value: str) -> str:
    """Fold full-width characters to ASCII, drop whitespace and pasted hyphens, upper-case (x → X)."""
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    if value.isascii() and value.isalnum():
        return value.upper()  # nothing to fold or drop: most values, checked per cell in imports of 100,000 rows
    folded = unicodedata.normalize("NFKC", value).translate(_DROP)
    return "".join(ch for ch in folded if not ch.isspace()).upper()


# --- resident ID (GB 11643) ----------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS17_RE = re.compile(r"[0-9]{17}")


def resident_id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits: weighted sum mod 11 indexes "10X98765432"."""
    if not isinstance(first17, str) or not _DIGITS17_RE.fullmatch(first17):
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(map(mul, map(int, first17), _ID_WEIGHTS))  # 17 digits, as checked above
    return _ID_CHECK_CHARS[total % 11]


def _id_or_error(id_number: str) -> str:
    value = normalise(id_number)
    if not _ID_RE.fullmatch(value):
        raise ValueError("not an 18-character resident ID")
    return value


def resident_id_birth_date(id_number: str) -> date:
    """Birth date carried in digits 7–14; ValueError when it is not a real date."""
    value = _id_or_error(id_number)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def resident_id_gender(id_number: str) -> str:
    """'male' when the 17th digit (sequence number) is odd, else 'female'."""
    value = _id_or_error(id_number)
    return "male" if int(value[16]) % 2 else "female"


def validate_resident_id(
    value: str, *, not_after: date | None = None, field: str | None = ID_FIELD
) -> list[Issue]:
    """Errors ID_FORMAT, or else ID_CHECKSUM and/or ID_BIRTHDATE (a real date, not after ``not_after``)."""
    normalised = normalise(value)
    if not _ID_RE.fullmatch(normalised):
        return [
            Issue.of(
                "ID_FORMAT",
                Text(gettext_noop("身份证号码应为 18 位：前 17 位是数字，最后一位是数字或 X")),
                field,
            )
        ]
    issues = []
    if resident_id_check_char(normalised[:17]) != normalised[17]:
        issues.append(Issue.of("ID_CHECKSUM", Text(gettext_noop("身份证号码校验位错误，请逐位核对号码")), field))
    try:
        born = resident_id_birth_date(normalised)
    except ValueError:
        issues.append(
            Issue.of(
                "ID_BIRTHDATE",
                Text(gettext_noop("身份证号码中的出生日期 %(digits)s 不是有效日期"), {"digits": normalised[6:14]}),
                field,
            )
        )
    else:
        if not_after is not None and born > not_after:
            issues.append(
                Issue.of(
                    "ID_BIRTHDATE",
                    Text(
                        gettext_noop("身份证号码中的出生日期 %(born)s 晚于 %(limit)s，不可能正确"),
                        {"born": born.isoformat(), "limit": not_after.isoformat()},
                    ),
                    field,
                )
            )
    return issues


def mask_resident_id(id_number: str) -> str:
    """Mask for anything public (公示): 500114********123X — the birth date never shows."""
    value = normalise(id_number)
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) == 15:
        # First-generation IDs carry the birth date as YYMMDD in digits 7–12.
        return value[:6] + "*" * 6 + value[-3:]
    # Anything else is not a known layout: we cannot tell where a birth date sits, so hide it all.
    return "*" * len(value)


def make_resident_id(area: str, birth: date, seq: int) -> str:
    """A valid resident ID from a 6-digit area code, a birth date and a sequence 0–999 (odd = male)."""
    if not (isinstance(area, str) and re.fullmatch(r"[0-9]{6}", area)):
        raise ValueError("area must be 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be between 0 and 999")
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    if len(first17) != 17:
        raise ValueError("birth year must have 4 digits")
    return first17 + resident_id_check_char(first17)


# --- teacher qualification certificate -----------------------------------------------------------

_CERT_RE = re.compile(r"[0-9]{15}|[0-9]{17}")


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate number says. A legacy 15-digit number has no known layout: only ``legacy``."""

    legacy: bool
    year: int | None = None
    province: str | None = None
    body: str | None = None
    type_digit: str | None = None
    type: str | None = None  # post-level string, e.g. "senior"; None when the digit is not 1–7
    gender: str | None = None  # "male" | "female" | None when the 11th digit is not 0 or 1
    serial: str | None = None

    @property
    def type_label(self) -> str | None:
        return POST_LEVEL_LABELS.get(self.type) if self.type else None


def decode_certificate(number: str) -> CertificateInfo:
    """Split a 17-digit number into its parts: year(4) province(2) body(3) type(1) gender(1) serial(6)."""
    value = normalise(number)
    if not _CERT_RE.fullmatch(value):
        raise ValueError("a certificate number has 15 or 17 digits")
    if len(value) == 15:
        return CertificateInfo(legacy=True)
    return CertificateInfo(
        legacy=False,
        year=int(value[0:4]),
        province=value[4:6],
        body=value[6:9],
        type_digit=value[9],
        type=CERT_TYPES.get(value[9]),
        gender={"1": "male", "0": "female"}.get(value[10]),
        serial=value[11:17],
    )


def validate_certificate_number(
    value: str, *, round_year: int | None = None, field: str | None = CERT_FIELD
) -> list[Issue]:
    """Errors CERT_FORMAT, or for 17 digits CERT_TYPE and/or CERT_YEAR (year after the round year)."""
    normalised = normalise(value)
    if not _CERT_RE.fullmatch(normalised):
        return [Issue.of("CERT_FORMAT", Text(gettext_noop("教师资格证书号码应为 17 位数字（旧版证书为 15 位）")), field)]
    info = decode_certificate(normalised)
    if info.legacy:
        return []  # no published layout for 15-digit numbers: format check only
    issues = []
    if info.type is None:
        issues.append(
            Issue.of(
                "CERT_TYPE",
                Text(gettext_noop("教师资格证书号码第 10 位是资格种类，应为 1–7，现为 %(digit)s"), {"digit": info.type_digit}),
                field,
            )
        )
    if round_year is not None and info.year is not None and info.year > round_year:
        issues.append(
            Issue.of(
                "CERT_YEAR",
                Text(
                    gettext_noop("教师资格证书号码前 4 位是认定年度，%(year)s 年晚于本次注册年度 %(round_year)s 年"),
                    {"year": info.year, "round_year": round_year},
                ),
                field,
            )
        )
    return issues


def gender_mismatch(id_number: str, certificate_number: str) -> Issue | None:
    """Warning GENDER_MISMATCH when the ID's gender and the certificate's 11th digit disagree.

    Only for a valid ID and a 17-digit certificate whose 11th digit is 0 or 1: a wrong ID may have its
    error anywhere, so comparing its gender digit would only add noise. Never an error (old data is messy).
    """
    if validate_resident_id(id_number):
        return None
    try:
        cert = decode_certificate(certificate_number)
    except ValueError:
        return None
    if cert.gender is None:
        return None
    from_id = resident_id_gender(id_number)
    if from_id == cert.gender:
        return None
    return Issue.of(
        "GENDER_MISMATCH",
        Text(
            gettext_noop("身份证号码显示为%(id_gender)s性，教师资格证书号码第 11 位显示为%(cert_gender)s性，请核对（仅作提示，不影响注册）"),
            {"id_gender": GENDER_LABELS[from_id], "cert_gender": GENDER_LABELS[cert.gender]},
        ),
    )


def make_certificate_number(
    year: int, province: str | int, body: str | int, type_digit: str | int, gender_digit: str | int,
    serial: str | int,
) -> str:
    """A 17-digit certificate number from its parts; ints are zero-padded to their widths."""
    parts = (
        (year, 4, "year"),
        (province, 2, "province"),
        (body, 3, "body"),
        (type_digit, 1, "type_digit"),
        (gender_digit, 1, "gender_digit"),
        (serial, 6, "serial"),
    )
    out = []
    for part, width, name in parts:
        text = f"{part:0{width}d}" if isinstance(part, int) and not isinstance(part, bool) else str(part)
        if not re.fullmatch(rf"[0-9]{{{width}}}", text):
            raise ValueError(f"{name} must be {width} digit(s), got {part!r}")
        out.append(text)
    return "".join(out)
