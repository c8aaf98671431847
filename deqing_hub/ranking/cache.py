"""Cached ranking pages and payloads, keyed by a version that every refresh moves on."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from rota import queries as rota_queries

# Pages and breakdowns of open months are cached this long (and dropped on every refresh).
CACHE_SECONDS = 300
_VERSION_KEY = "ranking:version"


def cache_version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = int(timezone.now().timestamp())
        cache.add(_VERSION_KEY, version, None)
        version = cache.get(_VERSION_KEY, version)
    return version


def invalidate_cache() -> None:
    """Drop every cached ranking page and provisional payload (they are keyed by version)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, int(timezone.now().timestamp()), None)


def cache_key(*parts: object) -> str:
    # Meeting attendance is written in rota, which cannot call `invalidate_cache`; its stamp
    # in every key makes a recorded or deleted attendance show at once.
    stamp = rota_queries.attendance_stamp()
    return ":".join(["ranking", str(cache_version()), str(stamp), *(str(p) for p in parts)])
