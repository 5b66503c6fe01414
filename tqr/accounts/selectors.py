"""Reads for the account pages."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from tqr.accounts.models import Organisation


def signup_units() -> QuerySet[Organisation]:
    """Units a teacher may name at sign-up (任教单位): active units of districts that run a round.

    Public units always; private (民办) units only where the district's latest round includes them;
    行业办 units register elsewhere and never appear.
    """
    from tqr.campaigns.models import Round

    latest_includes_private = Round.objects.filter(district=OuterRef("parent")).order_by("-year")
    return (
        Organisation.objects.filter(kind__in=Organisation.UNIT_KINDS, is_active=True, parent__is_active=True)
        .annotate(private_in_scope=Subquery(latest_includes_private.values("include_private")[:1]))
        .filter(private_in_scope__isnull=False)
        .filter(Q(ownership=Organisation.Ownership.PUBLIC)
                | Q(ownership=Organisation.Ownership.PRIVATE, private_in_scope=True))
        .select_related("parent")
        .order_by("parent__code", "code")
    )
