"""China's statutory holidays and make-up working days, from the chinesecalendar library.

The library carries the State Council's yearly notices (调休 included); nothing is hand-written
here. A year the library does not know yet raises `HolidayDataMissing`, so the generator says so
instead of silently treating the year as holiday-free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
from django.utils.translation import gettext_lazy as _

# The library's English holiday names, translated for display.
HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Qingming Festival"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": _("Victory Day"),
}


class HolidayDataMissing(Exception):
    """The holiday library has no data for the requested year."""


@dataclass(frozen=True)
class WeekCalendar:
    monday: dt.date
    working_days: int  # Mon..Sun days that are working days, make-up weekend days included
    holiday_names: tuple[str, ...]  # statutory holidays falling on Mon..Fri

    @property
    def is_holiday_week(self) -> bool:
        """Fewer than three working days: the centre is mostly closed that week."""
        return self.working_days < 3


def week_calendar(monday: dt.date) -> WeekCalendar:
    working = 0
    names: list[str] = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        try:
            is_work = chinese_calendar.is_workday(day)
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError as exc:
            raise HolidayDataMissing(day.year) from exc
        working += int(is_work)
        if on_holiday and name and day.weekday() < 5 and name not in names:
            names.append(name)
    return WeekCalendar(monday=monday, working_days=working, holiday_names=tuple(names))


def display_name(name: str) -> str:
    return str(HOLIDAY_NAMES.get(name, name))
