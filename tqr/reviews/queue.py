"""The district's initial-review queue: every confirmed application of the round, filtered and sorted in
the database (a page of 50 out of 10,000 costs the same few queries as the first page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from tqr.accounts.models import Organisation
from tqr.accounts.permissions import visible_applications
from tqr.applications.models import Application
from tqr.campaigns.models import Round
from tqr.rules.flow import State

QUEUE_STATES = (State.CONFIRMED, State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED, State.FINAL)
REVIEWED_STATES = (State.REVIEWED, State.PUBLISHED, State.REPORTED, State.CITY_RETURNED, State.FINAL)

PROPOSALS = {"qualified": _("合格"), "deferred": _("暂缓注册"), "unqualified": _("不合格"), "needs_review": _("需人工审核")}
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


def _in_round(user, round_: Round) -> QuerySet[Application]:
    # visible_applications() selects the round and the teacher with every row: the queue shows neither, and
    # joining 10,000 applications to the wide teacher profiles was most of the page's time (finding 2b).
    return visible_applications(user).select_related(None).filter(round=round_, state__in=QUEUE_STATES)


def _matches(f: QueueFilter) -> Q:
    """The filters as one condition (on the queue annotated with `proposal`)."""
    q = Q()
    if f.unit:
        q &= Q(confirmation_point_id=f.unit)
    if f.unit_kind:  # a subquery, not a join: the aggregate in queue_counts must keep every row
        q &= Q(confirmation_point__in=Organisation.objects.filter(kind=f.unit_kind).values("pk"))
    if f.cert_type:
        q &= Q(cert_type=f.cert_type)
    if f.kind:
        q &= Q(evaluation__kind=f.kind)
    if f.proposal:
        q &= Q(evaluation__proposal=f.proposal)
    if f.reviewed == "yes":
        q &= Q(state__in=REVIEWED_STATES)
    elif f.reviewed == "no":
        q &= Q(state=State.CONFIRMED)
    if f.disagreement:
        # A conclusion that differs from what the rules proposed (needs_review never equals a conclusion).
        q &= ~Q(conclusion="") & ~Q(conclusion=F("proposal"))
    if f.q:
        q &= Q(name__contains=f.q) | Q(number__contains=f.q)
    return q


def queue(user, round_: Round, f: QueueFilter) -> QuerySet[Application]:
    """The round's queue, filtered and sorted: every row with its confirmation point (the export, the API)."""
    return (_in_round(user, round_).select_related("confirmation_point")
            .annotate(proposal=KT("evaluation__proposal"), kind=KT("evaluation__kind"))
            .filter(_matches(f)).order_by(*_order(f.sort)))


def _order(sort: str) -> tuple[str, ...]:
    # The id last: rows that tie on the sort keep one order, so no row is on two pages or on none.
    order = SORTS[sort]
    return order if order[-1] == "id" else (*order, "id")


def queue_counts(user, round_: Round, f: QueueFilter | None = None) -> dict[str, int]:
    """The round's counts in one aggregate; with a filter, also how many rows it selects (`matching`)."""
    base = _in_round(user, round_)
    extra = {}
    if f is not None and f != QueueFilter(sort=f.sort):
        base = base.annotate(proposal=KT("evaluation__proposal"))
        extra["matching"] = Count("id", filter=_matches(f))
    c = base.aggregate(total=Count("id"), reviewed=Count("id", filter=Q(state__in=REVIEWED_STATES)),
                       qualified=Count("id", filter=Q(conclusion="qualified")),
                       deferred=Count("id", filter=Q(conclusion="deferred")),
                       unqualified=Count("id", filter=Q(conclusion="unqualified")), **extra)
    c["pending"] = c["total"] - c["reviewed"]
    if f is not None:
        c.setdefault("matching", c["total"])
    return c


PER_PAGE = 50
# The columns a row of the page shows (templates/reviews/queue.html).
ROW_FIELDS = ("id", "number", "name", "state", "cert_type", "conclusion", "evaluation", "confirmation_point__name",
              "confirmation_point__short_name")


class _KeysFirst:
    """What the paginator slices: the page's keys in the queue's order (a narrow sort, no wide rows), then
    only those rows with only the columns shown. The count is given (from `queue_counts`)."""

    def __init__(self, qs: QuerySet[Application], count: int):
        self.qs, self._count = qs, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, s: slice) -> list[Application]:
        ids = list(self.qs.values_list("pk", flat=True)[s])
        rows = {a.pk: a for a in Application.objects.filter(pk__in=ids).select_related("confirmation_point")
                .only(*ROW_FIELDS).annotate(proposal=KT("evaluation__proposal"), kind=KT("evaluation__kind"))}
        return [rows[pk] for pk in ids]


def queue_page(user, round_: Round, f: QueueFilter, number: str | int | None):
    """One page of the queue and the counts: three queries whatever the page (the aggregate, the keys, the rows)."""
    counts = queue_counts(user, round_, f)
    return Paginator(_KeysFirst(queue(user, round_, f), counts["matching"]), PER_PAGE).get_page(number), counts


def district_units(round_: Round):
    return Organisation.objects.filter(parent_id=round_.district_id, kind__in=Organisation.UNIT_KINDS).order_by("code")
