"""API: exchange (see tqr/exchange)."""

from ninja import Router

router = Router(tags=["exchange"])
