"""Model columns every app declares the same way: row timestamps, "who did it", the moment a
step happened, a row's parent, a reference that keeps its target and one that may be empty.

In the lowest app so that every app's models can use them. They only build ordinary Django
fields: a model using them has the same columns (and migrations) as one spelling them out.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, overload

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """When the row was created and last saved (`transitions.move` keeps `updated_at` too)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def acting_user(
    verbose_name: Any,
    *,
    on_delete: Any = models.SET_NULL,
    null: bool = True,
    blank: bool = True,
    help_text: Any = "",
) -> models.ForeignKey:
    """The account that did something to the row ("recorded by", "decided by").

    No reverse accessor on the user (related_name "+"): nobody asks an account for every row
    it ever touched. By default the row outlives the account (the reference becomes empty);
    ledgers pass `on_delete=models.PROTECT` to keep the account as long as the row.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=null,
        blank=blank,
        related_name="+",
        verbose_name=verbose_name,
        help_text=help_text,
    )


def stamp(verbose_name: Any) -> models.DateTimeField:
    """When a step happened to the row ("dispatched", "released"); empty until it has.

    The stamps that `transitions.transition` and `claim_once` set: one spelling, so that every
    step's moment is nullable in the database and optional in the admin alike.
    """
    return models.DateTimeField(verbose_name, null=True, blank=True)


def optional_link(
    to: Any, *, related_name: str, verbose_name: Any, on_delete: Any = models.SET_NULL
) -> models.ForeignKey:
    """A reference the row may lack ("on behalf of enterprise", "duty week").

    The row outlives what it points to: deleting the target empties the reference instead of
    refusing (PROTECT) or deleting the row with it (CASCADE).
    """
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )


_M = TypeVar("_M", bound=models.Model)


class _Link(Protocol):
    """A reference declared by its kind; a target given as a class keeps its type on the
    attribute (`voucher.member` is a Member for mypy), one given as "app.Model" or
    settings.AUTH_USER_MODEL cannot and reads as Any."""

    @overload
    def __call__(
        self, to: type[_M], *, related_name: str, verbose_name: Any
    ) -> models.ForeignKey[_M, _M]: ...
    @overload
    def __call__(self, to: str, *, related_name: str, verbose_name: Any) -> models.ForeignKey: ...


def _link(on_delete: Any) -> _Link:
    def link(to: Any, *, related_name: str, verbose_name: Any) -> models.ForeignKey:
        return models.ForeignKey(
            to, on_delete=on_delete, related_name=related_name, verbose_name=verbose_name
        )

    return link


# The row this one belongs to (a report's photo, a week's reminder): deleted with it.
parent_link = _link(models.CASCADE)
# A reference that keeps what it points to (a record's service, a voucher's member): deleting
# the target is refused while a row still refers to it; the rows are history, and history does
# not lose its subject.
protected_link = _link(models.PROTECT)
