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

How it moves (at once and on commit, once a transaction unless read in between, never back
after a lost key): `members.versions.CacheVersion`, shared with the page cache.
Lives in members (the lowest layer) so every app's actions can call it.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete, post_save

from members import page_cache
from members.versions import CacheVersion

VERSION_KEY = "figures:version"
_counted: set[str] = set()


FIGURES = CacheVersion(VERSION_KEY)


def version() -> int:
    """The number the cached figures' keys hold (members.versions: its rules)."""
    return FIGURES.read()


def bump() -> None:
    # Whatever the dashboard counts, some public page shows: the stored pages go too.
    page_cache.bump()
    FIGURES.bump()


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
