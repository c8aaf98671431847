"""Duty reminders: the rota decides what is due and to whom; members.notices tells them.

The scan (`issue_due_reminders`) writes one `Reminder` row per (duty week, kind) that fell due
and, in the same transaction, one notice per recipient plus the staff groups' copy. Delivery
(claim, lease, retries, failures, the admin's retry) is the notices outbox's, not the rota's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from members.notices.actions import Telling, notify_group, notify_many, withdraw
from rota import reminders
from rota.models import DutyWeek, Reminder, ReminderSchedule
from rota.notices import REMINDER

if TYPE_CHECKING:
    from collections.abc import Iterable

# The staff groups' robots (WeCom, DingTalk) get every duty reminder too.
STAFF_GROUP = "staff"
# Reminders whose text message carries the acknowledgement link while the week waits for it.
ACKNOWLEDGE_KINDS = (
    Reminder.Kind.WEEK_AHEAD,
    Reminder.Kind.DAY_BEFORE,
    Reminder.Kind.SWAP_APPROVED,
)


def telling(*, week: DutyWeek, kind: str, event: str, centre: list | None = None) -> Telling:
    """What the recipients of one reminder are told of `event` (for notify_many)."""
    ask = kind in ACKNOWLEDGE_KINDS and week.acknowledged_at is None
    # Signed once: the text and the link carry the same token.
    token = reminders.acknowledge_token(week) if ask else None
    message = reminders.compose(kind, week, token)
    context = {"subject": message.subject, "body": message.body}
    link = reverse("rota:acknowledge", args=[token]) if token else reverse("rota:my_rota")
    return Telling(
        to=reminders.recipients(kind, week, centre), event=event, context=context, link=link
    )


def tell(*, week: DutyWeek, kind: str, event: str, centre: list | None = None) -> int:
    """Tell the recipients of one reminder (and the staff groups) of `event`; return how many
    people were told. Repeating it with the same `event` tells nobody twice."""
    return _tell_all([telling(week=week, kind=kind, event=event, centre=centre)])


def _tell_all(tellings: list[Telling]) -> int:
    """Tell every reminder of `tellings` at once (one notify for them all) and the staff groups
    of each; return how many people were told."""
    told = notify_many(kind=REMINDER, tellings=tellings)
    for each in tellings:
        notify_group(
            kind=REMINDER,
            audience=STAFF_GROUP,
            event=each.event,
            context=each.context,
            link=each.link,
        )
    return len(told)


def event_prefix(week: DutyWeek, kind: str) -> str:
    return f"rota.reminder:{week.pk}:{kind}:"


def withdraw_reminder(week: DutyWeek, kind: str) -> int:
    """The reminder is no longer wanted (the week was acknowledged, its report filed): its
    copies still waiting to go are not sent. Return how many were stopped."""
    return withdraw(event_prefix=event_prefix(week, kind))


def _claim(
    due: list[tuple[DutyWeek, str]], now: dt.datetime, started_from: int | None = None
) -> dict[tuple[int, str], int]:
    """Write the schedule rows of `due`; return the ids of those this call wrote. With
    `started_from` (a full scan on PostgreSQL), store the next due moment in the same
    statement (see `_store_next_due`; one round trip fewer a scan).

    ON CONFLICT DO NOTHING RETURNING: a concurrent scan writing the same (week, kind) waits for
    ours to commit and then gets nothing back, so only one of them tells anybody.
    """
    table = Reminder._meta.db_table
    values = ", ".join(["(%s, %s, %s)"] * len(due))
    params: list[Any] = []
    for week, kind in due:
        params += [week.pk, kind, now]
    sql = (
        f"INSERT INTO {table} (duty_week_id, kind, issued_at) VALUES {values} "  # noqa: S608
        "ON CONFLICT (duty_week_id, kind) DO NOTHING RETURNING id, duty_week_id, kind"
    )
    if started_from is not None:
        # The store's own reads (the weeks, the change count) are unaffected by the insert:
        # the trigger counts no insert of a Reminder, and the weeks are not written here.
        store, store_params = _next_due_sql(now, started_from)
        sql = f"WITH claimed AS ({sql}), stored AS ({store}) SELECT * FROM claimed"  # noqa: S608
        params += store_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(week_id, kind): pk for pk, week_id, kind in cursor.fetchall()}


# The stored next due moment (rota.ReminderSchedule, migration 0009): the advisory lock key the
# writers' trigger holds shared until commit, the sequence it bumps, and how far ahead a stored
# moment is trusted at most (the weekly cycle: a moment is always found within it while weeks
# are planned ahead; the bound only matters when no week is).
CHANGES_LOCK = 1919907937
CHANGES = "rota_reminder_changes"
HORIZON = dt.timedelta(days=7)
_GENERATION = f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {CHANGES}"  # noqa: S608


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _look(now: dt.datetime) -> tuple[bool, int | None]:
    """(whether the stored moment says no reminder falls due by `now`, the change count) in
    one statement.

    The moment holds if a scan at or before `now` stored it for after `now` and nothing the
    timing depends on was written since. The change count is read holding the advisory lock
    exclusively for that instant (and released in the same statement): the writers' trigger
    holds it shared until their commit, so if it is free, every change counted is committed
    and visible to the scan's reads that follow; if a writer is in flight, None (the scan
    then stores no moment).
    """
    table = ReminderSchedule._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH free AS MATERIALIZED (SELECT pg_try_advisory_lock(%s) AS got), "  # noqa: S608
            f"counted AS MATERIALIZED (SELECT ({_GENERATION}) AS generation, got FROM free) "
            "SELECT coalesce(s.computed_at <= %s AND %s < s.next_due_at "
            "AND s.generation = counted.generation, false), "
            "CASE WHEN counted.got THEN counted.generation END, "
            "CASE WHEN counted.got THEN pg_advisory_unlock(%s) END "
            f"FROM counted LEFT JOIN {table} s ON s.id = 1",
            [CHANGES_LOCK, now, now, CHANGES_LOCK],
        )
        holds, generation, _released = cursor.fetchone()
    return bool(holds), generation


def _nothing_due_yet(now: dt.datetime) -> bool:
    return _look(now)[0]


def _store_next_due(now: dt.datetime, started_from: int) -> None:
    """Store the first moment after `now` a reminder can fall due, unless the weeks changed
    since the scan started (then the next scan computes it again). One statement."""
    sql, params = _next_due_sql(now, started_from)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _next_due_sql(now: dt.datetime, started_from: int) -> tuple[str, list[Any]]:
    """The statement of `_store_next_due` and its parameters.

    Every due moment is ROTA_REMINDER_HOUR on a week's Monday plus a kind's offset; a reminder
    already due by `now` was issued by this scan or is no longer wanted, and can only be
    wanted again after a write the trigger counts. At most HORIZON ahead.
    """
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    hour = settings.ROTA_REMINDER_HOUR
    today = now.astimezone(zone).date()
    first = today if reminders.local_time(today, hour) > now else today + dt.timedelta(days=1)
    offsets = sorted(set(reminders.OFFSETS.values()))
    table = ReminderSchedule._meta.db_table
    weeks = DutyWeek._meta.db_table
    return (
        (
            f"INSERT INTO {table} (id, next_due_at, computed_at, generation) "  # noqa: S608
            "SELECT 1, least(((SELECT min(w.week_start + o) "
            f"FROM {weeks} w CROSS JOIN unnest(%s::integer[]) AS o "
            "WHERE w.status IN (%s, %s) AND w.week_start >= %s AND w.week_start + o >= %s) "
            "+ make_interval(hours => %s)) AT TIME ZONE %s, %s), %s, %s "
            f"WHERE ({_GENERATION}) = %s "
            "ON CONFLICT (id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at, "
            "computed_at = EXCLUDED.computed_at, generation = EXCLUDED.generation"
        ),
        [
            offsets,
            DutyWeek.Status.PLANNED,
            DutyWeek.Status.CONFIRMED,
            first - dt.timedelta(days=max(offsets)),
            first,
            hour,
            settings.TIME_ZONE,
            now + HORIZON,
            now,
            started_from,
            started_from,
        ],
    )


def issue_due_reminders(
    *, now: dt.datetime | None = None, weeks: Iterable[int] | None = None
) -> int:
    """Issue every reminder that fell due by `now` (of `weeks` only, if given); return how many.

    Safe to run at any moment, any number of times, also concurrently: each (week, kind) is
    issued once (its `Reminder` row), each notice is unique per event and person, and the
    notices outbox sends each copy at least once. Until the next moment a reminder can fall
    due (stored by the last full scan, see ReminderSchedule) a full scan is one query; else
    a few queries for any number of weeks: the weeks with their contacts and reports, the
    rows already issued, one insert, and the next moment.
    """
    now = now or timezone.now()
    started_from = None
    if weeks is None and _postgres():
        holds, started_from = _look(now)
        if holds:
            return 0
    return _issue(now, weeks, started_from)


@transaction.atomic
def _issue(now: dt.datetime, weeks: Iterable[int] | None, started_from: int | None) -> int:
    candidates = reminders.candidate_weeks_with_issued(now, weeks)
    due = [
        (week, kind)
        for week, has_report, issued in candidates
        for kind in reminders.due_kinds(week, now, has_report=has_report)
        if kind not in issued
    ]
    if not due:
        if started_from is not None:
            _store_next_due(now, started_from)
        return 0
    # The next moment is stored by the claim's statement itself.
    written = _claim(due, now, started_from)
    centre = (
        reminders.centre_contacts()
        if any(kind == Reminder.Kind.UNACKNOWLEDGED for _, kind in due)
        else []
    )
    tellings = []
    for week, kind in due:
        pk = written.get((week.pk, kind))
        if pk is not None:
            event = f"{event_prefix(week, kind)}{pk}"
            tellings.append(telling(week=week, kind=kind, event=event, centre=centre))
    # One notify for the scan's reminders: their notices, counts and outbox rows in a few
    # statements, whatever the number of reminders.
    _tell_all(tellings)
    return len(written)
