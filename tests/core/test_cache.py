"""The Redis cache backend keeps one client per pool (tqr/core/cache.py) and still behaves as Django's."""

from __future__ import annotations

import os

import pytest

REDIS = os.environ.get("TQR_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS}")
    from tqr.core.cache import RedisCache

    cache = RedisCache(REDIS, {"KEY_PREFIX": f"test-cache-{os.getpid()}"})
    yield cache
    cache.clear()


def test_one_client_serves_every_call_and_the_cache_works(redis_cache):
    first = redis_cache._cache.get_client(write=True)
    assert redis_cache.add("k", 1, 5) is True and redis_cache.add("k", 2, 5) is False
    assert redis_cache.incr("k") == 2 and redis_cache.get("k") == 2
    redis_cache.set_many({"a": "甲", "b": {"x": [1]}}, 5)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": "甲", "b": {"x": [1]}}
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
    assert redis_cache._cache.get_client(write=True) is first
