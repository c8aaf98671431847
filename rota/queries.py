"""Read helpers for other pages (the home dashboard): one query each, nothing written."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rota.models import DutyWeek, ExchangeMeeting, MonthlyTheme


def current_duty_week(today: dt.date | None = None) -> DutyWeek | None:
    """This week's duty week (with its organisation), or None if the week is empty."""
    return DutyWeek.objects.containing(today or timezone.localdate())


def current_theme(today: dt.date | None = None) -> MonthlyTheme | None:
    today = today or timezone.localdate()
    return MonthlyTheme.objects.filter(month=today.replace(day=1)).first()


def current_exchange_meeting(today: dt.date | None = None) -> ExchangeMeeting | None:
    """The next exchange meeting from today on, else the most recent one."""
    today = today or timezone.localdate()
    upcoming = ExchangeMeeting.objects.select_related("host").filter(held_on__gte=today).first()
    return upcoming or ExchangeMeeting.objects.select_related("host").order_by("-held_on").first()


def upcoming_duty_weeks(count: int = 4, today: dt.date | None = None) -> list[DutyWeek]:
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return list(
        DutyWeek.objects.select_related("organisation").filter(week_start__gte=monday)[:count]
    )
