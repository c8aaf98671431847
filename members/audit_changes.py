"""Audit records with before and after values for changes the apps' actions make in bulk.

The audit receivers (`members.audit_receivers`) record an admin change when a row is saved or
deleted while serving an admin page. An action that moves rows with `.update()` (a status
transition that must check the old status in the same statement) or adds them with
`bulk_create` sends no save signal: it records its change here, one record per row, in the
same shape as the receivers' (`action`, `model`, `changes` of field -> before/after).

Staff-only use cases (approve a swap, mark a week missed) record wherever they run. Steps that
members and staff share (a balance moved, a sign-up cancelled) pass `admin_pages_only=True`:
like the receivers, they record only while an admin page is served, so a member's own
redemption is not an "admin change".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from members.audit import AuditEvent, jsonable, mask_field, record_event
from members.audit_receivers import admin_request


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (attribute names: `organisation_id`, `status`)."""
    return {name: getattr(obj, name) for name in fields}


def record_change(
    *,
    by,
    obj: models.Model,
    action: str,
    before: dict[str, Any],
    extra: dict | None = None,
    admin_pages_only: bool = False,
) -> AuditEvent | None:
    """Record how `obj` (already re-read) differs from `before`; nothing if it does not.

    Values are masked as the receivers mask them. `extra` adds details such as a reason code.
    """
    if admin_pages_only and admin_request() is None:
        return None
    label = obj._meta.label_lower
    changes = {
        name: {
            "before": jsonable(mask_field(label, name, old)),
            "after": jsonable(mask_field(label, name, getattr(obj, name))),
        }
        for name, old in before.items()
        if getattr(obj, name) != old
    }
    if not changes:
        return None
    return record_event(
        AuditEvent.Kind.ADMIN_CHANGE,
        user=by,
        obj=obj,
        details={"action": action, "model": label, "changes": changes, **(extra or {})},
    )


def record_addition(
    *, by, obj: models.Model, action: str, fields: Iterable[str], extra: dict | None = None
) -> AuditEvent:
    """Record that `obj` was added, with the values of `fields` (before: none)."""
    label = obj._meta.label_lower
    changes = {
        name: {"before": None, "after": jsonable(mask_field(label, name, getattr(obj, name)))}
        for name in fields
    }
    return record_event(
        AuditEvent.Kind.ADMIN_CHANGE,
        user=by,
        obj=obj,
        details={"action": action, "model": label, "changes": changes, **(extra or {})},
    )
