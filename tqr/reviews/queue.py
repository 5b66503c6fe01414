"""The district's initial-review queue: every confirmed application of the round, filtered and sorted in
the database (a page of 50 out of 10,000 costs the same few queries as the first page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KT

from tqr.accounts.models import Organisation
from tqr.accounts.permissions import visible_applications
from tqr.applications.models import Application
from tqr.campaigns.models import Round
from tqr.rules.flow import State

QUEUE_STATES = (State.CONFIRMED, State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED, State.FINAL)
REVIEWED_STATES = (State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED, State.FINAL)

PROPOSALS = {"qualified": "合格", "deferred": "暂缓注册", "unqualified": "不合格", "needs_review": "需人工审核"}
SORTS = {"unit": ("confirmation_point__code", "name"), "name": ("name",), "proposal": ("proposal", "name"),
         "reviewed": ("-reviewed_at", "name"), "confirmed": ("confirmed_at", "id")}


@dataclass(frozen=True)
class QueueFilter:
    unit: int | None = None
    unit_kind: str = ""
    cert_type: str = ""
    kind: str = ""
    proposal: str = ""
    reviewed: str = ""  # "yes" | "no" | ""
    disagreement: bool = False
    q: str = ""
    sort: str = "unit"

    @classmethod
    def from_query(cls, get) -> QueueFilter:
        def text(key, limit=30):
            return (get.get(key) or "").strip()[:limit]

        unit = text("unit")
        return cls(unit=int(unit) if unit.isdigit() else None, unit_kind=text("unit_kind"), cert_type=text("cert_type"),
                   kind=text("kind"), proposal=text("proposal"), reviewed=text("reviewed"),
                   disagreement=get.get("disagreement") == "1", q=text("q"),
                   sort=text("sort") if text("sort") in SORTS else "unit")


def queue(user, round_: Round, f: QueueFilter) -> QuerySet[Application]:
    qs = (visible_applications(user).filter(round=round_, state__in=QUEUE_STATES)
          .select_related("confirmation_point", "teacher", "reviewed_by")
          .annotate(proposal=KT("evaluation__proposal"), kind=KT("evaluation__kind")))
    if f.unit:
        qs = qs.filter(confirmation_point_id=f.unit)
    if f.unit_kind:
        qs = qs.filter(confirmation_point__kind=f.unit_kind)
    if f.cert_type:
        qs = qs.filter(cert_type=f.cert_type)
    if f.kind:
        qs = qs.filter(evaluation__kind=f.kind)
    if f.proposal:
        qs = qs.filter(evaluation__proposal=f.proposal)
    if f.reviewed == "yes":
        qs = qs.filter(state__in=REVIEWED_STATES)
    elif f.reviewed == "no":
        qs = qs.filter(state=State.CONFIRMED)
    if f.disagreement:
        # A conclusion that differs from what the rules proposed (needs_review never equals a conclusion).
        qs = qs.exclude(conclusion="").exclude(conclusion=F("proposal"))
    if f.q:
        qs = qs.filter(Q(name__contains=f.q) | Q(number__contains=f.q))
    return qs.order_by(*SORTS[f.sort])


def queue_counts(user, round_: Round) -> dict[str, int]:
    base = visible_applications(user).filter(round=round_, state__in=QUEUE_STATES)
    c = base.aggregate(total=Count("id"), reviewed=Count("id", filter=Q(state__in=REVIEWED_STATES)),
                       qualified=Count("id", filter=Q(conclusion="qualified")),
                       deferred=Count("id", filter=Q(conclusion="deferred")),
                       unqualified=Count("id", filter=Q(conclusion="unqualified")))
    c["pending"] = c["total"] - c["reviewed"]
    return c


def page(qs, number: str | int | None, per_page: int = 50):
    return Paginator(qs, per_page).get_page(number)


def district_units(round_: Round):
    return Organisation.objects.filter(parent_id=round_.district_id, kind__in=Organisation.UNIT_KINDS).order_by("code")
