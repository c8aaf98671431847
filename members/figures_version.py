"""A number that moves whenever a record the home dashboard counts changes.

At county scale the home page's nine counts (vouchers by kind over 18,000 vouchers, granted
wishes, service records, members...) cost 40-60 ms a request; the dashboard is now rendered
once per version of this number (and language and day) and cached (`deqing_hub.dashboard`).

How the number moves:
- `register(*models)` (deqing_hub does it at start-up for every model the dashboard counts)
  connects post_save and post_delete: admin edits, imports and every action that saves a row;
- `transition()` and `claim_once()` (members.transitions) bump after a conditional UPDATE
  that moved a counted row (UPDATE sends no signal);
- an action that writes counted rows with `bulk_create` or `.update()` calls `bump()` itself.

`bump()` moves the number at once (the change shows in this transaction's next page) and again
on commit: a page rebuilt between the two from the data before the commit is then not kept.
Many changes in one transaction (an import of 10,000 members, a rota generated for a year)
move it once more only if this thread read the number since the last move: otherwise no page
of this transaction can hold the earlier state, and the move on commit is already promised.
That keeps a sheet import from spending two Redis round trips per row.
Lives in members (the lowest layer) so every app's actions can call it.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from members import page_cache

VERSION_KEY = "figures:version"
_counted: set[str] = set()
# Per thread: has the number moved since this thread last read it? (see bump)
_state = threading.local()


def version() -> int:
    """The current number (no query). A lost number restarts at the current time, never at an
    earlier value, so a page cached under an old number cannot come back."""
    _state.unread_move = False
    value: int | None = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        value = cache.get(VERSION_KEY) or 0
    return value


def _incr() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # expired or evicted: start past every number handed out so far
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def _move_on_commit_pending() -> bool:
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        callback is _incr for _savepoints, callback, _robust in connection.run_on_commit
    )


def bump() -> None:
    # Whatever the dashboard counts, some public page shows: the stored pages go too.
    page_cache.bump()
    if getattr(_state, "unread_move", False) and _move_on_commit_pending():
        return
    _incr()
    _state.unread_move = True
    if not _move_on_commit_pending():
        transaction.on_commit(_incr)


def is_counted(model: type[models.Model]) -> bool:
    return model._meta.label in _counted


def bump_if_counted(model: type[models.Model]) -> None:
    if is_counted(model):
        bump()


def _changed(sender, **kwargs) -> None:
    bump()


def register(*counted: type[models.Model]) -> None:
    """Move the number whenever a row of these models is saved or deleted."""
    for model in counted:
        _counted.add(model._meta.label)
        uid = f"figures_version:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
