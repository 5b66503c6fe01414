"""Registration status lookup (注册状态查询): the public one-at-a-time lookup and the employer's batch.

Anyone with a certificate number and the holder's name may ask whether the certificate is registered, the
conclusion and until when — nothing else about the person. An unknown number, a wrong name, a certificate
without any registration and a qualification no longer valid all give the same answer, None
(“未查询到注册信息”), so that the lookup can neither confirm that a number exists nor say whose it is.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tqr.audit.models import AuditEvent
from tqr.audit.services import record
from tqr.core.ratelimit import allow
from tqr.rules.identifiers import normalise, validate_certificate_number
from tqr.teachers.models import Certificate, Conclusion, QualificationStatus, RegistrationRecord

MAX_BATCH_ROWS = 500
MAX_NAME_LENGTH = 50
MAX_NUMBER_LENGTH = 40  # 17 digits with room for pasted spaces and hyphens

NOT_FOUND_TEXT = gettext_lazy("未查询到注册信息")

# The public lookup, page and API together, per address: 20 a minute and 200 an hour — enough for a person
# or an employer's front desk, too few to try names against numbers (a list belongs in the batch).
PUBLIC_LIMITS = ((20, 60), (200, 3600))
BATCH_LIMIT = (60, 3600)  # batches (uploads, downloads, API calls) per user an hour

# Ethnic-minority names join their parts with a middle dot that people type in half a dozen ways.
_NAME_DOTS = str.maketrans(dict.fromkeys("\u00b7\u2022\u2027\u30fb\u2219\u22c5\u0387.", "·"))
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class BatchRefused(Exception):
    """A batch that is not looked up at all: too many rows, an unreadable file, numbers stored as numbers."""

    def __init__(self, message: str, *, code: str = "refused"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class LookupResult:
    """What the lookup says about a registration. Deliberately no name, unit, ID or date of birth."""

    conclusion: str  # Conclusion value
    conclusion_label: str  # 合格 / 暂缓注册 / 不合格
    year: int  # 注册年度
    valid_until: date | None  # only for 合格
    registered: bool  # 合格 and still within its validity

    @property
    def expired(self) -> bool:
        return self.conclusion == Conclusion.QUALIFIED and not self.registered

    @property
    def status_text(self) -> str:
        if self.registered:
            return _("已注册（合格）")
        if self.expired:
            return _("合格（注册有效期已届满）")
        return self.conclusion_label

    def as_dict(self) -> dict:
        return {"registered": self.registered, "conclusion": self.conclusion,
                "conclusion_label": self.conclusion_label, "year": self.year, "valid_until": self.valid_until,
                "status": self.status_text}


def normalise_name(name: str) -> str:
    """The name as compared: NFKC (full-width → half-width), no spaces or zero-width characters, one kind
    of middle dot."""
    folded = unicodedata.normalize("NFKC", name).translate(_INVISIBLE).translate(_NAME_DOTS)
    return "".join(ch for ch in folded if not ch.isspace())


def normalise_number(number: str) -> str | None:
    """The certificate number as stored, or None when it cannot be one (then it is simply not found)."""
    if len(number) > MAX_NUMBER_LENGTH:
        return None
    value = normalise(number)
    return None if validate_certificate_number(value, field=None) else value


def public_lookup_allowed(address: str) -> bool:
    """Count one public lookup from `address`; False once over either limit."""
    return all(allow(f"lookup:{seconds}:{address}", limit=limit, seconds=seconds) for limit, seconds in PUBLIC_LIMITS)


def batch_allowed(user) -> bool:
    return allow(f"lookup-batch:{user.pk}", limit=BATCH_LIMIT[0], seconds=BATCH_LIMIT[1])


def lookup(certificate_number: str, name: str, *, today: date | None = None) -> LookupResult | None:
    """The latest registration of this certificate when `name` is its holder's; None otherwise, always the
    same None whatever the reason."""
    return lookup_many([(certificate_number, name)], today=today)[0]


def lookup_many(rows: Sequence[tuple[str, str]], *, today: date | None = None) -> list[LookupResult | None]:
    """`lookup` for up to MAX_BATCH_ROWS (number, name) pairs in two queries; one answer per row, in order."""
    if len(rows) > MAX_BATCH_ROWS:
        raise ValueError(f"at most {MAX_BATCH_ROWS} rows")
    today = today or timezone.localdate()
    keys = [(normalise_number(number), normalise_name(name)) for number, name in rows]
    numbers = {number for number, _name in keys if number}
    if not numbers:
        return [None] * len(rows)
    # Query 1: the certificates with their holder's name only (the encrypted ID is never loaded). A revoked
    # or lost qualification is not registered, and saying why would say more than the lookup may.
    certificates = {
        c.number: c
        for c in Certificate.objects.filter(number__in=numbers, teacher__qualification_status=QualificationStatus.VALID)
        .select_related("teacher").only("number", "teacher_id", "teacher__name")
    }
    matched = {number: certificates[number] for number, name in keys
               if number in certificates and name and normalise_name(certificates[number].teacher.name) == name}
    latest: dict[str, RegistrationRecord] = {}
    if matched:
        # Query 2: their registrations. One made with another of the teacher's certificates is not this
        # certificate's; one recorded without a certificate (older data) is the teacher's, so it counts.
        teacher_ids = {c.teacher_id for c in matched.values()}
        cert_ids = {c.pk for c in matched.values()}
        registrations = RegistrationRecord.objects.filter(
            Q(certificate_id__in=cert_ids) | Q(certificate__isnull=True), teacher_id__in=teacher_ids,
        ).only("teacher_id", "certificate_id", "year", "conclusion", "valid_until")
        by_teacher: dict[int, list[RegistrationRecord]] = {}
        for r in registrations:
            by_teacher.setdefault(r.teacher_id, []).append(r)
        for number, cert in matched.items():
            own = [r for r in by_teacher.get(cert.teacher_id, []) if r.certificate_id in (cert.pk, None)]
            if own:
                latest[number] = max(own, key=lambda r: r.year)
    results: list[LookupResult | None] = []
    for number, name in keys:
        r = latest.get(number) if number in matched and normalise_name(matched[number].teacher.name) == name else None
        results.append(None if r is None else _result(r, today))
    return results


def _result(r: RegistrationRecord, today: date) -> LookupResult:
    qualified = r.conclusion == Conclusion.QUALIFIED
    valid_until = r.valid_until if qualified else None
    return LookupResult(
        conclusion=r.conclusion, conclusion_label=str(Conclusion(r.conclusion).label), year=r.year,
        valid_until=valid_until, registered=qualified and (valid_until is None or today <= valid_until),
    )


# --- The batch (employers: school administrators, district and city staff) -------------------------------


@dataclass(frozen=True)
class BatchRow:
    row: int  # the row in the uploaded sheet (1 = the header), or the position in an API list (from 1)
    certificate_number: str
    name: str


@dataclass(frozen=True)
class BatchLine:
    row: int
    certificate_number: str  # as entered, trimmed
    name: str  # as entered, trimmed
    result: LookupResult | None
    problem: str = ""  # the row could not be looked up (blank or malformed number)

    @property
    def status_text(self) -> str:
        if self.problem:
            return self.problem
        return str(NOT_FOUND_TEXT) if self.result is None else self.result.status_text

    @property
    def outcome(self) -> str:
        """registered / expired / deferred / unqualified / not_found / invalid."""
        if self.problem:
            return "invalid"
        if self.result is None:
            return "not_found"
        if self.result.registered:
            return "registered"
        return "expired" if self.result.expired else self.result.conclusion

    def as_dict(self) -> dict:
        result = self.result.as_dict() if self.result else {}
        return {"row": self.row, "certificate_number": self.certificate_number, "name": self.name,
                "found": self.result is not None, "outcome": self.outcome, "status": self.status_text,
                "problem": self.problem, "registered": result.get("registered", False),
                "conclusion": result.get("conclusion"), "conclusion_label": result.get("conclusion_label"),
                "year": result.get("year"), "valid_until": result.get("valid_until")}


def _row_problem(row: BatchRow) -> str:
    if not row.certificate_number and not row.name:
        return _("证书号码和姓名均未填写")
    if not row.certificate_number:
        return _("未填写证书号码")
    if not row.name:
        return _("未填写姓名")
    if len(row.name) > MAX_NAME_LENGTH:
        return _("姓名超过 %(max)s 个字") % {"max": MAX_NAME_LENGTH}
    if normalise_number(row.certificate_number) is None:
        return _("证书号码格式不正确（应为 17 位数字，旧版证书为 15 位）")
    return ""


def lookup_batch(*, rows: Sequence[BatchRow], actor, source: str, today: date | None = None) -> list[BatchLine]:
    """Look up a list at once (≤ MAX_BATCH_ROWS). Audited as `lookup.batch` with the counts, never the names."""
    if len(rows) > MAX_BATCH_ROWS:
        refuse_batch(actor=actor, source=source, code="too_many_rows", rows=len(rows))
        raise BatchRefused(too_many_rows_message(len(rows)), code="too_many_rows")
    rows = [BatchRow(r.row, r.certificate_number.strip(), r.name.strip()) for r in rows]
    problems = [_row_problem(r) for r in rows]
    asked = [(r.certificate_number, r.name) for r, p in zip(rows, problems, strict=True) if not p]
    answers = iter(lookup_many(asked, today=today))
    lines = [BatchLine(r.row, r.certificate_number, r.name, None if p else next(answers), p)
             for r, p in zip(rows, problems, strict=True)]
    outcomes = Counter(line.outcome for line in lines)
    record("lookup.batch", actor=actor, data={"rows": len(lines), "source": source, "outcomes": dict(outcomes)})
    return lines


def refuse_batch(*, actor, source: str, code: str, rows: int | None = None) -> None:
    """Audit a batch that was refused before any lookup (what was wrong, never the content)."""
    record("lookup.batch", actor=actor, result=AuditEvent.Result.FAIL,
           data={"source": source, "reason": code, **({"rows": rows} if rows is not None else {})})


def too_many_rows_message(count: int) -> str:
    return _("一次最多查询 %(max)s 人，本次有 %(count)s 行。请拆分后分批查询") % {"max": MAX_BATCH_ROWS, "count": count}
