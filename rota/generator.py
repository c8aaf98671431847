"""The duty-rota generator: fair round robin over the active organisations.

1. Turn the date range into its Mondays (a week belongs to the range if its Monday does).
2. Keep every existing week that has started, is not `planned`, or was swapped: those are
   history or promises; delete the other planned weeks in the range so they can be redrawn.
3. Order the active organisations by their last duty week before the range (never on duty
   first, then longest ago), then by id: the cycle continues where the last one stopped.
4. Walk the weeks. A kept week consumes its organisation in the current cycle. A holiday week
   (fewer than three working days, make-up days counted) is left empty when asked to skip
   holidays. Otherwise take the first organisation in cycle order that has not served in this
   cycle and has no blackout touching the week; when every organisation has served, a new
   cycle starts in the same order. A week nobody may take is left empty with the reason.
Counts over the range therefore differ by at most one, and nobody serves twice in a cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from rota.holidays import HolidayDataMissing, display_name, week_calendar


@dataclass
class Candidate:
    id: int
    label: str
    blackouts: list[tuple[dt.date, dt.date]] = field(default_factory=list)

    def free_during(self, monday: dt.date) -> bool:
        sunday = monday + dt.timedelta(days=6)
        return not any(start <= sunday and end >= monday for start, end in self.blackouts)


@dataclass
class Plan:
    assignments: dict[dt.date, int] = field(default_factory=dict)  # Monday -> organisation id
    kept: dict[dt.date, int] = field(default_factory=dict)
    unfilled: dict[dt.date, str] = field(default_factory=dict)  # Monday -> reason
    warnings: list[str] = field(default_factory=list)


def mondays_between(start: dt.date, end: dt.date) -> list[dt.date]:
    first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while first <= end:
        weeks.append(first)
        first += dt.timedelta(days=7)
    return weeks


def plan_weeks(
    *,
    mondays: list[dt.date],
    candidates: list[Candidate],
    kept: dict[dt.date, int],
    skip_holiday_weeks: bool,
) -> Plan:
    """Assign organisations to `mondays` (steps 4 of the module docstring); no database."""
    plan = Plan(kept=dict(kept))
    order = [c.id for c in candidates]
    by_id = {c.id: c for c in candidates}
    served: set[int] = set()
    missing_years: set[int] = set()

    def next_cycle_if_complete() -> None:
        if served.issuperset(order):
            served.clear()

    for monday in mondays:
        if monday in kept:
            next_cycle_if_complete()
            served.add(kept[monday])
            continue
        if skip_holiday_weeks:
            try:
                calendar = week_calendar(monday)
            except HolidayDataMissing:
                missing_years.add(monday.year)
            else:
                if calendar.is_holiday_week:
                    names = "、".join(display_name(n) for n in calendar.holiday_names)
                    plan.unfilled[monday] = _(
                        "Holiday week (%(holidays)s): only %(days)s working days."
                    ) % {"holidays": names or _("statutory holiday"), "days": calendar.working_days}
                    continue
        next_cycle_if_complete()
        waiting = [oid for oid in order if oid not in served]
        chosen = next((oid for oid in waiting if by_id[oid].free_during(monday)), None)
        if chosen is None:
            plan.unfilled[monday] = _(
                "Every organisation not yet on duty in this cycle has blackout dates in this "
                "week: %(names)s."
            ) % {"names": "、".join(by_id[oid].label for oid in waiting)}
            continue
        served.add(chosen)
        plan.assignments[monday] = chosen
    for year in sorted(missing_years):
        plan.warnings.append(
            _(
                "The holiday calendar for %(year)s is not published in the holiday library yet; "
                "weeks of %(year)s were filled without checking holidays."
            )
            % {"year": year}
        )
    return plan
