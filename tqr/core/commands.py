"""What the management commands share: reading a time given on the command line."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def iso_moment(option: str, value: str) -> datetime:
    """`--now 2026-12-11T00:00+08:00` (or a plain date) as an aware datetime; a clear Chinese refusal (exit 2)
    for anything else. A time without a zone is in the site's zone (Asia/Shanghai)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} 不是 ISO 时间（如 2026-12-01 或 2026-12-01T08:00+08:00）",
                           returncode=2) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
