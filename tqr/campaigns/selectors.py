"""Reads for rounds."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from tqr.accounts.models import Organisation
from tqr.accounts.permissions import visible_rounds
from tqr.campaigns.models import PhaseWindow, RegistrationAdministrator, Round


def today() -> date:
    return timezone.localdate()


def current_round(user, *, day: date | None = None) -> Round | None:
    """The round a user works in now: the latest year among the rounds in scope."""
    return (
        visible_rounds(user)
        .prefetch_related(Prefetch("phase_windows", queryset=PhaseWindow.objects.order_by("start_date")))
        .order_by("-year", "district__code")
        .first()
    )


def units_for_administrators(round_: Round):
    """Every unit of the round's district with its named administrator (or None), named ones last."""
    named = {a.unit_id: a for a in RegistrationAdministrator.objects.filter(round=round_)}
    # Units outside the round's scope (行业办, and 民办 unless the round includes them) name nobody.
    ownerships = ["public", "private"] if round_.include_private else ["public"]
    units = list(
        Organisation.objects.filter(parent_id=round_.district_id, kind__in=Organisation.UNIT_KINDS, is_active=True,
                                    ownership__in=ownerships)
        .order_by("code")
    )
    rows = [(u, named.get(u.pk)) for u in units]
    rows.sort(key=lambda r: (r[1] is not None, r[0].code))
    return rows
