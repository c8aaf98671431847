"""Cached ranking pages and payloads, keyed by a version that every refresh moves on."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from members.versions import add_numbers, read_numbers
from rota import queries as rota_queries

# Pages and breakdowns of open months are cached this long (and dropped on every refresh).
CACHE_SECONDS = 300
_VERSION_KEY = "ranking:version"

T = TypeVar("T")


def cache_version() -> int:
    version = cache.get(_VERSION_KEY)
    return _restarted_version() if version is None else version


def _restarted_version() -> int:
    # A lost version restarts at the current time (in nanoseconds, as members.versions'
    # numbers restart: `cache_key` restarts it with them); whoever adds it first sets it.
    return add_numbers({_VERSION_KEY: time.time_ns()})[_VERSION_KEY]


def invalidate_cache() -> None:
    """Drop every cached ranking page and provisional payload (they are keyed by version)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, time.time_ns(), None)


# The numbers every cached ranking part is keyed on. Meeting attendance is written in rota,
# which cannot call `invalidate_cache`; its stamp in every key makes a recorded or deleted
# attendance show at once. The anonymous pages with the ranking (the home, the ranking pages)
# read them with the page cache's own version (`page_cache.anonymous_page(numbers=...)`).
PAGE_NUMBERS = (_VERSION_KEY, rota_queries.ATTENDANCE_STAMP_KEY)


def cache_key(*parts: object) -> str:
    # Both numbers in one round trip, and restarted together in one more if lost.
    found = read_numbers(PAGE_NUMBERS)
    return ":".join(["ranking", *(str(found[key]) for key in PAGE_NUMBERS), *map(str, parts)])


# Stampede protection for `cached`: a value is refreshed this long before it expires, by one
# worker, while the others keep serving it; on a cold miss the others wait this long at most.
EARLY_REFRESH_SECONDS = 30
LOCK_SECONDS = 30
WAIT_SECONDS = 5.0
_WAIT_STEP = 0.05


def cached(key: str, build: Callable[[], T], seconds: int = CACHE_SECONDS) -> T:
    """`build()`'s value under `key`, recomputed by one worker at a time.

    Measured at county scale: when a 300 s page cache expired, every gunicorn worker that
    asked rebuilt the same page at once (p99 spikes of 0.8-1.1 s). Now:
    1. a value is stored with the time it should be refreshed, and kept 30 s longer;
    2. past that time, the worker that takes the lock (`cache.add`) rebuilds it while the
       others serve the value they have;
    3. on a cold miss (first request, new data version) the others wait for that worker's
       value, and build it themselves only if it has not come within WAIT_SECONDS.
    `build` returning None is not cached (nothing to show, e.g. a year with no month).
    """
    key, lock = _entry_key(key), f"{key}:lock"
    entry = cache.get(key)
    if entry is not None:
        refresh_at, value = entry
        if time.time() < refresh_at or not cache.add(lock, 1, LOCK_SECONDS):
            return value
        return _build_and_store(key, lock, build, seconds)
    if cache.add(lock, 1, LOCK_SECONDS):
        return _build_and_store(key, lock, build, seconds)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(_WAIT_STEP)
        entry = cache.get(key)
        if entry is not None:
            return entry[1]
    return build()  # the lock holder is slow or gone: answer rather than fail


def store(key: str, value: object, seconds: int = CACHE_SECONDS) -> None:
    """Put a value where `cached` finds it (a periodic task warming a page ahead)."""
    _store(_entry_key(key), value, seconds)


def _entry_key(key: str) -> str:
    # Entries are (refresh time, value) pairs: a key of their own, so a value cached under
    # `key` by an earlier release (the bare value) is never read as one.
    return f"{key}:entry"


def _store(entry_key: str, value: object, seconds: int) -> None:
    cache.set(entry_key, (time.time() + seconds, value), seconds + EARLY_REFRESH_SECONDS)


def _build_and_store(key: str, lock: str, build: Callable[[], T], seconds: int) -> T:
    try:
        value = build()
        if value is not None:
            _store(key, value, seconds)
        return value
    finally:
        cache.delete(lock)
