"""A small fixed-window rate limit on the cache (Redis when scaled out): for the public pages."""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(key: str, *, limit: int, seconds: int) -> bool:
    """Count one hit against `key`; False once more than `limit` hits fell in the current window."""
    window = int(time.time() // seconds)
    bucket = f"rl:{key}:{window}"
    if cache.add(bucket, 1, timeout=seconds + 1):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=seconds + 1)
        return True
    return count <= limit
