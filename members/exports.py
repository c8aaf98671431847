"""/me/export/ (PIPL art. 45): the person's records, contributed by every app through one registry.

Each app registers, in its AppConfig.ready(), every model that holds a person's records:

    register_export(Voucher, person=["member"], fields="code item__name status issued_at")

`person` are lookups that end at the user or at `members.Member`; a row belongs to the caller
when any of them matches (a login without a member record matches the user lookups only).
`also` adds rows by another condition (audit events whose object is the caller's member).
A foreign key to the user or member that is deliberately left out is named with
`exclude_from_export("app.Model.field", reason)`; tests/members/test_export_registry.py fails
when a model's such field is neither covered nor excluded.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.conf import settings
from django.db.models import Field, Model, Q
from django.utils import timezone

Row = dict[str, Any]
ExtraRows = Callable[[Any, Any], Q | None]


@dataclass(frozen=True)
class ExportSource:
    model: type[Model]
    person: tuple[str, ...]
    fields: tuple[str, ...]
    also: ExtraRows | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label

    def _target(self, lookup: str) -> str:
        """'user' or 'member': what the lookup ends at ('pk' of the user model is the user)."""
        model: Any = self.model
        if lookup == "pk":
            return "user" if model._meta.label == settings.AUTH_USER_MODEL else "member"
        for name in lookup.split("__"):
            model = model._meta.get_field(name).related_model
        return "user" if model._meta.label == settings.AUTH_USER_MODEL else "member"

    def condition(self, user, member) -> Q | None:
        found = {"user": user, "member": member}
        parts = [
            Q(**{lookup: found[self._target(lookup)]})
            for lookup in self.person
            if found[self._target(lookup)] is not None
        ]
        extra = self.also(user, member) if self.also else None
        if extra is not None:
            parts.append(extra)
        return reduce(operator.or_, parts) if parts else None

    def columns(self) -> list[tuple[str, str]]:
        """[(field path, its verbose name)] in the registered order."""
        return [(path, str(self._field(path).verbose_name)) for path in self.fields]

    def _field(self, path: str) -> Field:
        model: Any = self.model
        *relations, last = path.split("__")
        for name in relations:
            model = model._meta.get_field(name).related_model
        return model._meta.get_field(last)

    def rows(self, user, member) -> list[Row]:
        """The caller's rows of this model, choices as their labels, oldest first."""
        condition = self.condition(user, member)
        if condition is None:
            return []
        labels = {
            path: dict(field.flatchoices)
            for path in self.fields
            if (field := self._field(path)).choices
        }
        values = (
            self.model._default_manager.filter(condition)
            .order_by("pk")
            .values_list(*self.fields)
            .distinct()
        )
        return [
            {
                path: str(labels[path].get(value, value)) if path in labels else value
                for path, value in zip(self.fields, row, strict=True)
            }
            for row in values
        ]


_SOURCES: dict[str, ExportSource] = {}
_EXCLUDED: dict[str, str] = {}


def register_export(
    model: type[Model],
    *,
    person: Sequence[str],
    fields: str,
    also: ExtraRows | None = None,
) -> None:
    """Add `model`'s rows that belong to the caller to /me/export/ (replaces on reload).

    `fields` are the columns, as field paths separated by spaces, in the sheet's order.
    """
    source = ExportSource(
        model=model, person=tuple(person), fields=tuple(fields.split()), also=also
    )
    _SOURCES[source.label] = source


def exclude_from_export(field: str, reason: str) -> None:
    """Leave `"app.Model.field"` (a key to the user or member) out of the export, saying why."""
    _EXCLUDED[field] = reason


def export_sources() -> list[ExportSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.label)


def excluded_fields() -> dict[str, str]:
    return dict(_EXCLUDED)


def collect_records(user, member) -> dict[str, list[Row]]:
    """{"app.Model": [rows]} of every registered model, empty ones included."""
    return {source.label: source.rows(user, member) for source in export_sources()}


def plain_value(value: Any) -> Any:
    """A cell value as JSON and spreadsheets take it: local times without zone, text for others."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return str(value)
