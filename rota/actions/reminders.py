"""Duty reminders: the rota decides what is due and to whom; members.notices tells them.

The scan (`issue_due_reminders`) writes one `Reminder` row per (duty week, kind) that fell due
and, in the same transaction, one notice per recipient plus the staff groups' copy. Delivery
(claim, lease, retries, failures, the admin's retry) is the notices outbox's, not the rota's.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from members.notices.actions import notify, notify_group, withdraw
from rota import reminders
from rota.models import DutyReport, DutyWeek, Reminder
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


def tell(*, week: DutyWeek, kind: str, event: str, centre: list | None = None) -> int:
    """Tell the recipients of one reminder (and the staff groups) of `event`; return how many
    people were told. Repeating it with the same `event` tells nobody twice."""
    message = reminders.compose(kind, week)
    context = {"subject": message.subject, "body": message.body}
    ask = kind in ACKNOWLEDGE_KINDS and week.acknowledged_at is None
    link = reverse("rota:acknowledge", args=[reminders.acknowledge_token(week)]) if ask else ""
    link = link or reverse("rota:my_rota")
    told = notify(
        kind=REMINDER,
        to=reminders.recipients(kind, week, centre),
        event=event,
        context=context,
        link=link,
    )
    notify_group(kind=REMINDER, audience=STAFF_GROUP, event=event, context=context, link=link)
    return len(told)


def event_prefix(week: DutyWeek, kind: str) -> str:
    return f"rota.reminder:{week.pk}:{kind}:"


def withdraw_reminder(week: DutyWeek, kind: str) -> int:
    """The reminder is no longer wanted (the week was acknowledged, its report filed): its
    copies still waiting to go are not sent. Return how many were stopped."""
    return withdraw(event_prefix=event_prefix(week, kind))


def _claim(due: list[tuple[DutyWeek, str]], now: dt.datetime) -> dict[tuple[int, str], int]:
    """Write the schedule rows of `due`; return the ids of those this call wrote.

    ON CONFLICT DO NOTHING RETURNING: a concurrent scan writing the same (week, kind) waits for
    ours to commit and then gets nothing back, so only one of them tells anybody.
    """
    table = Reminder._meta.db_table
    values = ", ".join(["(%s, %s, %s)"] * len(due))
    params: list[int | str | dt.datetime] = []
    for week, kind in due:
        params += [week.pk, kind, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (duty_week_id, kind, issued_at) VALUES {values} "  # noqa: S608
            "ON CONFLICT (duty_week_id, kind) DO NOTHING RETURNING id, duty_week_id, kind",
            params,
        )
        return {(week_id, kind): pk for pk, week_id, kind in cursor.fetchall()}


@transaction.atomic
def issue_due_reminders(
    *, now: dt.datetime | None = None, weeks: Iterable[int] | None = None
) -> int:
    """Issue every reminder that fell due by `now` (of `weeks` only, if given); return how many.

    Safe to run at any moment, any number of times, also concurrently: each (week, kind) is
    issued once (its `Reminder` row), each notice is unique per event and person, and the
    notices outbox sends each copy at least once. A few queries for any number of weeks:
    the weeks with their contacts and reports, the rows already issued, one insert.
    """
    now = now or timezone.now()
    candidates = reminders.candidate_weeks(now).annotate(
        has_report=Exists(DutyReport.objects.filter(duty_week=OuterRef("pk")))
    )
    if weeks is not None:
        candidates = candidates.filter(pk__in=list(weeks))
    due = [
        (week, kind)
        for week in candidates.order_by("pk")
        for kind in reminders.due_kinds(week, now, has_report=week.has_report)
    ]
    if not due:
        return 0
    issued = set(
        Reminder.objects.filter(duty_week__in={week.pk for week, _ in due}).values_list(
            "duty_week_id", "kind"
        )
    )
    due = [(week, kind) for week, kind in due if (week.pk, kind) not in issued]
    if not due:
        return 0
    written = _claim(due, now)
    centre = (
        reminders.centre_contacts()
        if any(kind == Reminder.Kind.UNACKNOWLEDGED for _, kind in due)
        else []
    )
    for week, kind in due:
        pk = written.get((week.pk, kind))
        if pk is not None:
            tell(week=week, kind=kind, event=f"{event_prefix(week, kind)}{pk}", centre=centre)
    return len(written)
