"""A Redis cache that degrades instead of failing when Redis is unreachable.

The cache holds nothing that cannot be recomputed (rendered pages, rate-limit counters), so
during a Redis outage pages keep working: reads miss, writes are dropped, and a warning is
logged. Rate limits fail open for the outage; account lockout (Axes) lives in the database.
"""

import functools
import logging
from typing import cast

from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_OUTAGE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)

# What each operation returns when Redis does not answer.
_FALLBACKS: dict[str, object] = {
    "add": True,  # pretend the lock was taken: rate limits fail open during an outage
    "get": None,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "incr": None,
    "set_many": [],
    "delete_many": None,
    "clear": None,
}


def _degrading(name: str, fallback):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _OUTAGE as exc:
            logger.warning(
                "cache.unavailable", extra={"operation": name, "error": type(exc).__name__}
            )
            if name == "get":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            if name == "incr":
                raise ValueError("cache unavailable") from exc
            return fallback() if callable(fallback) else fallback

    return wrapper


class _ReusedClient(RedisCacheClient):
    """One `redis.Redis` per connection pool, kept: Django builds a new one for every cache
    operation, and its constructor (about 170 response callbacks) cost more than the round trip
    itself - 2-3 ms a request on a page that reads the cache ten times (the wish wall)."""

    _serializer: RedisSerializer  # set by RedisCacheClient.__init__

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # A Redis object is safe to share between threads (each command borrows a
            # connection from the pool) and after a fork (the pool checks its process id).
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def add_many(self, numbers: dict[str, int]) -> list[int]:
        # SET NX and GET of every key in one pipelined round trip (was an `add` a key, and a
        # `get` more for each lost race): a page rendered after Redis lost its keys restarts
        # its three version numbers at once (members.versions.add_numbers).
        client = self.get_client(None, write=True)
        pipeline = client.pipeline(transaction=False)
        for key, number in numbers.items():
            pipeline.set(key, self._serializer.dumps(number), nx=True)
            pipeline.get(key)
        answers = pipeline.execute()[1::2]
        return [
            number if held is None else self._serializer.loads(held)
            for number, held in zip(numbers.values(), answers, strict=True)
        ]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClient

    def add_many(self, numbers: dict[str, int]) -> dict[str, int]:
        """Each number stored (without expiry) under its key unless the key holds one: the
        number each key holds afterwards, in one round trip. During an outage: the numbers
        given, as `add` pretends to have stored."""
        keys = [self.make_and_validate_key(key) for key in numbers]
        try:
            held = cast("_ReusedClient", self._cache).add_many(
                dict(zip(keys, numbers.values(), strict=True))
            )
        except _OUTAGE as exc:
            logger.warning(
                "cache.unavailable", extra={"operation": "add_many", "error": type(exc).__name__}
            )
            return dict(numbers)
        return dict(zip(numbers, held, strict=True))


for _name, _fallback in _FALLBACKS.items():
    _value = (lambda v=_fallback: type(v)()) if isinstance(_fallback, (dict, list)) else _fallback
    setattr(ResilientRedisCache, _name, _degrading(_name, _value))
