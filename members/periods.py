"""Calendar months and years in the portal's time zone (Asia/Shanghai): the one month arithmetic.

A month is named by its first day (`date(2026, 10, 1)`). Queries that count "in a month" take
the aware bounds from here, start inclusive and end exclusive, so an entry at 23:59 on the
31st in Deqing falls in that month wherever the server runs. Rows dated by a `DateField`
(duty weeks, service records) take the dates `first` and `next_month(first)` instead.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.refusals import Refused


def month_start(day: dt.date) -> dt.date:
    """The first day of the month containing `day`."""
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after the one containing `day`."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before the one containing `day`."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def current_month(today: dt.date | None = None) -> dt.date:
    """The first day of this month, in the portal's time zone."""
    return month_start(today or timezone.localdate())


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware start (inclusive) and end (exclusive) of a calendar day in Deqing."""
    return _midnight(day), _midnight(day + dt.timedelta(days=1))


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware start (inclusive) and end (exclusive) of a calendar month."""
    first = dt.date(year, month, 1)
    return _midnight(first), _midnight(next_month(first))


def month_bounds_at(at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The bounds of the calendar month in which the moment `at` falls (in Asia/Shanghai)."""
    first = month_start(timezone.localtime(at).date())
    return month_bounds(first.year, first.month)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware start (inclusive) and end (exclusive) of a calendar year."""
    return _midnight(dt.date(year, 1, 1)), _midnight(dt.date(year + 1, 1, 1))


def parse_month(text: str) -> dt.date:
    """'2026-10' -> date(2026, 10, 1); `Refused` (code "bad_month") for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise Refused(
            _("Give the month as YYYY-MM, for example 2026-10."), code="bad_month"
        ) from None
