"""A number in the cache that moves whenever what it versions changes; cached things key on it.

Two of them: `figures_version` (the home dashboard's counts) and `page_cache` (whole public
pages). One class, so both keep the same three rules:
- **A lost number restarts at the current time**, never at an earlier value, so something
  cached under an old number cannot come back after Redis lost the key.
- **It moves at once and again on commit**: at once so this transaction's next page shows the
  change; on commit so that a page rebuilt in between by another worker, from the data before
  the commit, is not kept.
- **Many changes in one transaction move it once more only if this thread read it since the
  last move** (an import of 10,000 members, a rota generated for a year): otherwise no page of
  this transaction can hold the earlier state, and the move on commit is already promised. A
  sheet import spent two Redis round trips a row before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.db import transaction


def read_numbers(keys: Sequence[str], restarted: set[str] | None = None) -> dict[str, int]:
    """The numbers under `keys` (versions, stamps) in one round trip; any lost restart at the
    current time together in one more (`add_numbers`). A page cached under several numbers (the
    ranking's: the pages', the ranking's and the attendance's) read them in three round trips,
    and three or six more after Redis lost them. `restarted` collects the keys whose number
    this call set (nothing can be cached under it yet, unless another reader came between)."""
    found = cache.get_many(list(keys))
    lost = {key: time.time_ns() for key in keys if found.get(key) is None}
    if lost:
        held = add_numbers(lost)
        found.update(held)
        if restarted is not None:
            restarted.update(key for key, number in lost.items() if held[key] == number)
    return {key: found[key] for key in keys}


def add_numbers(numbers: dict[str, int]) -> dict[str, int]:
    """Each number stored without expiry unless its key already holds one (whoever adds it first
    sets it); the number each key holds afterwards. One round trip on Redis
    (`ResilientRedisCache.add_many`); other caches (the locmem of `make run`) key by key."""
    add_many = getattr(cache, "add_many", None)
    if add_many is not None:
        return add_many(numbers)
    return {
        key: number if cache.add(key, number, timeout=None) else (cache.get(key) or 0)
        for key, number in numbers.items()
    }


class CacheVersion:
    def __init__(self, key: str) -> None:
        self.key = key
        # Per thread: has the number moved since this thread last read it?
        self._state = threading.local()
        # One object for the on-commit callback, so a pending one can be recognised (`is`).
        self.move_on_commit = self._incr

    def read(self, found: Mapping[str, int] | None = None) -> int:
        """The current number (no query); `found`: `read_numbers` with this key, already read."""
        self._state.unread_move = False
        if found is not None:
            return found[self.key]
        value: int | None = cache.get(self.key)
        if value is None:
            value = time.time_ns()
            # Whoever adds it first sets it; `add` answers whether that was us: then no second
            # read (a round trip of every page rendered after Redis lost its keys).
            if not cache.add(self.key, value, timeout=None):
                value = cache.get(self.key) or 0
        return value

    def bump(self) -> None:
        if getattr(self._state, "unread_move", False) and self._move_pending():
            return
        self._incr()
        self._state.unread_move = True
        if not self._move_pending():
            transaction.on_commit(self.move_on_commit)

    def _incr(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # expired or evicted: start past every number handed out so far
            cache.set(self.key, time.time_ns(), timeout=None)

    def _move_pending(self) -> bool:
        connection = transaction.get_connection()
        return connection.in_atomic_block and any(
            callback is self.move_on_commit
            for _savepoints, callback, _robust in connection.run_on_commit
        )
