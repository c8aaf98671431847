"""Read queries the rota offers to the apps above it (home dashboard, ranking); nothing written.

Each runs one query whatever the data size unless its docstring says otherwise.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from members.periods import month_start
from members.queries import KindCount, kind_counts
from rota.models import (
    DutyReport,
    DutyWeek,
    DutyWeekQuerySet,
    ExchangeMeeting,
    MeetingAttendance,
    MonthlyTheme,
    Organisation,
    SwapRequest,
    SwapRequestQuerySet,
    manages_rota,
    monday_of,
)

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from members.models import Member, User

# Weeks that count as held: acknowledged by the organisation or reported (not planned-only,
# not missed).
HELD_STATUSES = [DutyWeek.Status.CONFIRMED, DutyWeek.Status.DONE]

# Cache key of the attendance stamp (see `attendance_stamp`); rota.actions renews it.
ATTENDANCE_STAMP_KEY = "rota:attendance-stamp"

# Duty weeks on /me/; the rest are on the contact's page (/rota/mine/).
ME_PANEL_WEEKS = 4


# The models whose rows the home dashboard counts or shows: saving or deleting one moves its
# cached figures on (members.figures_version, registered by deqing_hub at start-up).
DASHBOARD_MODELS = (Organisation, DutyWeek, DutyReport, MonthlyTheme, ExchangeMeeting)


def current_duty_week(today: dt.date | None = None) -> DutyWeek | None:
    """This week's duty week (with its organisation), or None if the week is empty."""
    return DutyWeek.objects.containing(today or timezone.localdate())


def current_theme(today: dt.date | None = None) -> MonthlyTheme | None:
    today = today or timezone.localdate()
    return MonthlyTheme.objects.filter(month=month_start(today)).first()


def current_exchange_meeting(today: dt.date | None = None) -> ExchangeMeeting | None:
    """The next exchange meeting from today on, else the most recent one."""
    today = today or timezone.localdate()
    upcoming = ExchangeMeeting.objects.select_related("host").filter(held_on__gte=today).first()
    return upcoming or ExchangeMeeting.objects.select_related("host").order_by("-held_on").first()


# --- organisations ----------------------------------------------------------------------------


def active_organisations_by_kind() -> list[KindCount]:
    """Active alliance organisations per kind, every kind present, in the kinds' order."""
    counts = dict(
        Organisation.objects.active().values_list("kind").annotate(n=Count("pk")).order_by()
    )
    return kind_counts(Organisation.Kind, counts)


def organisation_kind_labels() -> dict[str, StrOrPromise]:
    """{organisation kind value: its label}; no query."""
    return dict(Organisation.Kind.choices)


def active_organisations(kind: str | None = None) -> list[tuple[int, str, str, str]]:
    """(id, name, short name, kind) of every active organisation (of one kind), in the default
    order: the organisations the ranking ranks and the dashboard counts."""
    rows = Organisation.objects.active()
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("pk", "name", "short_name", "kind"))


# --- duty weeks -------------------------------------------------------------------------------


def held_duty_weeks_list(today: dt.date) -> QuerySet[DutyWeek]:
    """Duty weeks that have begun by `today` and were acknowledged or reported, newest first,
    with the organisation and whether a report was filed (`has_report`); no contacts loaded."""
    return (
        DutyWeek.objects.filter(week_start__lte=today, status__in=HELD_STATUSES)
        .select_related("organisation")
        .only("pk", "week_start", "status", "organisation__name", "organisation__kind")
        .annotate(has_report=Exists(DutyReport.objects.filter(duty_week=OuterRef("pk"))))
        .order_by("-week_start", "-pk")
    )


def duty_weeks_held_count(today: dt.date) -> int:
    """How many weeks `held_duty_weeks_list(today)` lists (the home figure)."""
    return DutyWeek.objects.filter(week_start__lte=today, status__in=HELD_STATUSES).count()


class HeldWeeks(NamedTuple):
    held: dict[int, list[int]]  # organisation id -> ids of its held weeks
    reported: dict[int, list[int]]  # organisation id -> ids of those with a duty report


def held_duty_weeks(start: dt.date, end: dt.date, *, today: dt.date) -> HeldWeeks:
    """The duty weeks starting in [start, end) (and by `today`) that were held, per organisation.

    A week belongs to the month its Monday falls in: a month is `first, next_month(first)`.
    """
    held: dict[int, list[int]] = defaultdict(list)
    reported: dict[int, list[int]] = defaultdict(list)
    weeks = DutyWeek.objects.filter(
        week_start__gte=start, week_start__lt=end, week_start__lte=today, status__in=HELD_STATUSES
    ).values_list("pk", "organisation_id", "report__pk")
    for pk, org_id, report_pk in weeks:
        held[org_id].append(pk)
        if report_pk is not None:
            reported[org_id].append(pk)
    return HeldWeeks(dict(held), dict(reported))


def held_weeks_of_year(year: int, *, today: dt.date) -> list[tuple[int, dt.date, bool]]:
    """(organisation id, Monday, report filed) of the weeks held whose Monday is in `year`
    (and by `today`) - the covenant's "one duty week each" (一周一轮值)."""
    return list(
        DutyWeek.objects.filter(
            week_start__year=year, week_start__lte=today, status__in=HELD_STATUSES
        )
        .annotate(has_report=Exists(DutyReport.objects.filter(duty_week=OuterRef("pk"))))
        .order_by("week_start")
        .values_list("organisation_id", "week_start", "has_report")
    )


def themes_of_year(year: int) -> dict[int, str]:
    """{month number: the monthly theme's title} of `year` (一月一主题)."""
    return {
        month.month: title
        for month, title in MonthlyTheme.objects.filter(month__year=year).values_list(
            "month", "title"
        )
    }


def duty_weeks_with_ids(ids: Iterable[int]) -> dict[int, DutyWeek]:
    """{id: duty week, with its report} of the given weeks (a ranking breakdown)."""
    weeks = DutyWeek.objects.filter(pk__in=set(ids)).select_related("report")
    return {week.pk: week for week in weeks}


def first_duty_week_start() -> dt.date | None:
    """The Monday of the earliest duty week on the rota, None for an empty rota."""
    first: dt.date | None = DutyWeek.objects.aggregate(m=Min("week_start"))["m"]
    return first


# --- exchange meetings ------------------------------------------------------------------------


def meetings_attended(year: int) -> tuple[dict[int, list[int]], dict[int, dt.date]]:
    """({organisation id: [meeting ids]}, {meeting id: date}) for the year's exchange meetings.

    An organisation attended a meeting if staff recorded it (`MeetingAttendance`) or hosted it.
    Two queries.
    """
    attended: dict[int, set[int]] = defaultdict(set)
    dates = {}
    for pk, host_id, held_on in ExchangeMeeting.objects.filter(held_on__year=year).values_list(
        "pk", "host_id", "held_on"
    ):
        attended[host_id].add(pk)
        dates[pk] = held_on
    for meeting_id, org_id in MeetingAttendance.objects.in_year(year).values_list(
        "meeting_id", "organisation_id"
    ):
        attended[org_id].add(meeting_id)
    return {org: sorted(ids) for org, ids in attended.items()}, dates


def exchange_meetings_held_count(year: int, *, today: dt.date) -> int:
    """Exchange meetings of `year` held by `today` (一季一交流)."""
    return ExchangeMeeting.objects.filter(held_on__year=year, held_on__lte=today).count()


def attendance_stamp() -> int:
    """A number that changes whenever meeting attendance is recorded or deleted.

    Pages cached from attendance put it in their cache key, so a change shows at once.
    Read from the cache, not the database: no query. A lost stamp is replaced by the current
    time, never by an earlier value, so a stale page cannot come back.
    """
    stamp: int | None = cache.get(ATTENDANCE_STAMP_KEY)
    return restarted_attendance_stamp() if stamp is None else stamp


def restarted_attendance_stamp() -> int:
    """The stamp once it was found lost (by a caller reading it with other keys)."""
    stamp = time.time_ns()
    # Whoever adds it first sets it; `add` answers whether that was us (no second read).
    if cache.add(ATTENDANCE_STAMP_KEY, stamp, timeout=None):
        return stamp
    return cache.get(ATTENDANCE_STAMP_KEY) or 0


def exchange_meetings_with_ids(ids: Iterable[int]) -> list[ExchangeMeeting]:
    """The given exchange meetings with their hosts, in the default order (a ranking breakdown)."""
    return list(ExchangeMeeting.objects.filter(pk__in=list(ids)).select_related("host"))


# --- The staff workspace: what waits, within the user's admin scope ----------------------------


# The rota's querysets that know their contacts' rows (`for_contact`).
Scoped = TypeVar("Scoped", DutyWeekQuerySet, SwapRequestQuerySet)


def _in_scope(queryset: Scoped, user: User) -> Scoped:
    """Every row for centre staff, the user's own organisations' otherwise (as in the admin)."""
    return queryset if manages_rota(user) else queryset.for_contact(user)


def swaps_to_approve_count(user: User) -> int:
    """Swaps both organisations agreed to, waiting for the centre's approval."""
    return _in_scope(SwapRequest.objects.filter(status=SwapRequest.Status.ACCEPTED), user).count()


def unacknowledged_weeks_count(user: User, today: dt.date) -> int:
    """Weeks under way or starting within 7 days that their organisation has not acknowledged."""
    return _in_scope(DutyWeek.objects.unacknowledged(today), user).count()


def reports_missing_count(user: User, today: dt.date) -> int:
    """Weeks that ended without a duty report."""
    return _in_scope(DutyWeek.objects.ended_without_report(today), user).count()


def contact_calendars(user: User) -> list[Organisation]:
    """The organisations `user` is a contact of, with their secret calendar tokens (the
    workspace shows each calendar's link and its renewal)."""
    return list(Organisation.objects.for_contact(user).only("pk", "name", "feed_token"))


def me_panel_context(request: HttpRequest, member: Member | None) -> dict:
    """The /me/ block (members.panels) of an alliance contact: their organisations and the
    duty weeks from this week on. One query for everyone else, two for a contact."""
    organisations = list(Organisation.objects.for_contact(request.user))
    if not organisations:
        return {"organisations": []}
    weeks = list(
        DutyWeek.objects.filter(
            organisation__in=organisations, week_start__gte=monday_of(timezone.localdate())
        )
        .select_related("organisation")
        .order_by("week_start")[:ME_PANEL_WEEKS]
    )
    return {"organisations": organisations, "weeks": weeks}
