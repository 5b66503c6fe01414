"""Django's Redis cache, keeping one redis-py client per connection pool instead of building one per call.

Django's RedisCacheClient.get_client makes a new `redis.Redis` for every cache operation; building one
fills its table of ~170 response callbacks, which cost more than the Redis round trip itself (a session
read, a rate-limit count: several per request; bench/findings.md). A redis-py client is thread-safe and
holds no connection of its own (the pool does), so one per pool is what redis-py intends.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
