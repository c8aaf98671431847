"""The database rules every app states the same way, each built by one function.

The apps keep their invariants in the database (named check constraints). The same few rules
recur across them: text that may not be empty, a reason required in some status, a moment
required once a step is done, a month stored as its first day, a number at least something or
within a range, an end after a start. Each is spelled here once, so the conditions read alike
in every app and a rule is named by what it says, not by how Q objects are combined.

They only build ordinary `CheckConstraint`s: a model using them has the same constraints (and
migrations) as one spelling them out. `name` stays with the model (it is the constraint's name
in the database and in the migrations); `message`, when given, is the violation message.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q


def _check(condition: Q, name: str, message: Any) -> models.CheckConstraint:
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def not_blank(field: str, *, name: str, message: Any = None) -> models.CheckConstraint:
    """`field` (text) is never empty: a title, a reason, a report's text."""
    return _check(~Q(**{field: ""}), name, message)


def filled_when(when: Q, field: str, *, name: str, message: Any = None) -> models.CheckConstraint:
    """A row matching `when` (a status, usually) has `field` (text) filled in: a rejection
    says why."""
    return _check(~when | ~Q(**{field: ""}), name, message)


def stamped_when(when: Q, field: str, *, name: str, message: Any = None) -> models.CheckConstraint:
    """A row matching `when` has the moment `field` set: a completed project says when."""
    return _check(~when | Q(**{f"{field}__isnull": False}), name, message)


def first_day_of_month(field: str, *, name: str, message: Any = None) -> models.CheckConstraint:
    """`field` (a date) names a month by its first day, as `members.periods` bounds it."""
    return _check(Q(**{f"{field}__day": 1}), name, message)


def at_least(field: str, low: int, *, name: str, message: Any = None) -> models.CheckConstraint:
    """`field` is `low` or more: a balance never below zero, a capacity of one at least."""
    return _check(Q(**{f"{field}__gte": low}), name, message)


def within(
    field: str,
    low: int,
    high: int,
    *,
    name: str,
    message: Any = None,
    optional: bool = False,
) -> models.CheckConstraint:
    """`field` is from `low` to `high` (both included): ratings of 1 to 5 stars, quarters.
    `optional`: an empty value is allowed too (not rated yet)."""
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if optional:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return _check(condition, name, message)


def ends_after(
    end: str,
    start: str,
    *,
    name: str,
    message: Any = None,
    same_day: bool = False,
    open_ended: bool = False,
) -> models.CheckConstraint:
    """`end` comes after `start`: an activity ends after it starts, a voucher expires after it
    is issued. `same_day`: a period of dates may end on the day it starts. `open_ended`: an
    empty end is allowed (a post held until further notice)."""
    lookup = "gte" if same_day else "gt"
    condition = Q(**{f"{end}__{lookup}": F(start)})
    if open_ended:
        condition = Q(**{f"{end}__isnull": True}) | condition
    return _check(condition, name, message)
