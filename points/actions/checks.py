"""Checks of the values callers pass to the points actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from members.refusals import Refused

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_KEY_LENGTH = 100


def check_positive(amount: object) -> int:
    """The amount, if it is a whole number above zero (not a bool)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Refused(_("Points must be a whole number above zero."), code="not_positive")
    return amount


def check_text(value: str, *, code: str, message: StrOrPromise) -> str:
    """The text without surrounding spaces; refused with `code` if nothing is left."""
    value = (value or "").strip()
    if not value:
        raise Refused(message, code=code)
    return value


def check_key(value: str, *, message: StrOrPromise) -> str:
    """A required reference (idempotency key or source) of at most MAX_KEY_LENGTH characters."""
    value = check_text(value, code="key_required", message=message)
    if len(value) > MAX_KEY_LENGTH:
        raise Refused(
            _("A reference may have at most %(limit)s characters."),
            code="key_too_long",
            params={"limit": MAX_KEY_LENGTH},
        )
    return value
