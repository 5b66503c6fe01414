"""API: notifications (see tqr/notifications)."""

from ninja import Router

router = Router(tags=["notifications"])
