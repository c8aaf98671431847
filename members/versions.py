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

from django.core.cache import cache
from django.db import transaction


class CacheVersion:
    def __init__(self, key: str) -> None:
        self.key = key
        # Per thread: has the number moved since this thread last read it?
        self._state = threading.local()
        # One object for the on-commit callback, so a pending one can be recognised (`is`).
        self.move_on_commit = self._incr

    def read(self) -> int:
        """The current number (no query)."""
        self._state.unread_move = False
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
