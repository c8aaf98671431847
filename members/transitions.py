"""The one way a lifecycle moves: a conditional UPDATE whose row count is checked.

`transition(obj, allowed=..., to=...)` runs `UPDATE ... SET status=<to> WHERE pk=<obj> AND
status IN (<allowed>)` and re-reads `obj`. Two clicks, two workers or a click racing a
periodic task cannot both move the same row: the second finds it in another state. Every app's
actions move their statuses through it (swap requests, duty weeks, service requests, sign-ups,
wishes, vouchers); audit records stay with the callers, which know who acted and why.
`claim_once` is the same for one-time work stamped on a row (notices sent, requests flagged).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from members import figures_version, page_cache
from members.refusals import STALE, Refused

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def transition(
    obj: models.Model,
    *,
    allowed: Iterable[str],
    to: str,
    refusal: StrOrPromise | None = None,
    repeat_ok: bool = False,
    when: Q | None = None,
    field: str = "status",
    **changes: Any,
) -> bool:
    """Move `obj` to `to` if its row is still in one of `allowed` (and matches `when`).

    Sets `changes` in the same statement (and `updated_at`, if the model has one and it is not
    given), then re-reads `obj`. Returns True when this call moved the row. When it did not:
    False if the row is already in `to` and `repeat_ok` (repeating a step changes nothing),
    or if no `refusal` is given (a claim another worker won: the caller decides); otherwise
    raises `Refused(refusal, code="stale")`, where `refusal` may name the row's current state
    as `%(status)s`.
    """
    model = type(obj)
    if "updated_at" not in changes and any(
        f.name == "updated_at" for f in model._meta.concrete_fields
    ):
        changes["updated_at"] = timezone.now()
    rows = model._default_manager.filter(pk=obj.pk, **{f"{field}__in": list(allowed)})
    if when is not None:
        rows = rows.filter(when)
    moved = rows.update(**{field: to}, **changes)
    obj.refresh_from_db()
    if moved:
        # An UPDATE sends no save signal: a counted record (a wish granted) moves the home
        # dashboard's figures here.
        figures_version.bump_if_counted(model)
        page_cache.bump_if_public(model, [field, *changes])
        return True
    if (repeat_ok and getattr(obj, field) == to) or refusal is None:
        return False
    raise Refused(refusal, code=STALE, params={"status": getattr(obj, f"get_{field}_display")()})


def claim_once(
    model: type[models.Model], pk: Any, field: str, *, at: datetime.datetime | None = None
) -> bool:
    """Set the row's empty timestamp `field` to `at` (now) in one conditional UPDATE; return
    True when this call set it. The claim of one-time work (a notice, a flag): a task run
    twice, or by two workers at once, does the work once."""
    rows = model._default_manager.filter(pk=pk, **{f"{field}__isnull": True})
    claimed = bool(rows.update(**{field: at or timezone.now()}))
    if claimed:
        figures_version.bump_if_counted(model)
        page_cache.bump_if_public(model, [field])
    return claimed
