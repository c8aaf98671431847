"""Who attended the quarterly exchange meetings (the yearly ranking counts it)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from members.audit_changes import record_addition
from rota import queries
from rota.models import ExchangeMeeting, MeetingAttendance, Organisation

if TYPE_CHECKING:
    from members.models import User


def _renew_attendance_stamp() -> None:
    try:
        cache.incr(queries.ATTENDANCE_STAMP_KEY)
    except ValueError:  # no stamp yet (or it was evicted): start from the clock, never lower
        cache.set(queries.ATTENDANCE_STAMP_KEY, time.time_ns(), timeout=None)


def _attendance_changed() -> None:
    # A new stamp makes every page cached from the old attendance (the yearly ranking)
    # unreachable; rota cannot call the ranking itself (it sits above rota).
    transaction.on_commit(_renew_attendance_stamp)


@transaction.atomic
def record_meeting_attendance(
    *, meeting: ExchangeMeeting, organisations: list[Organisation], by: User | None
) -> list[MeetingAttendance]:
    """Record that `organisations` attended `meeting`; return their attendance rows.

    Only once the meeting has taken place. Recording an organisation again changes nothing.
    """
    MeetingAttendance(meeting=meeting).clean()  # the meeting has taken place
    known = set(
        MeetingAttendance.objects.filter(
            meeting=meeting, organisation__in=organisations
        ).values_list("pk", flat=True)
    )
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, organisation=o, recorded_by=by) for o in organisations],
        ignore_conflicts=True,
    )
    _attendance_changed()
    rows = list(
        MeetingAttendance.objects.filter(meeting=meeting, organisation__in=organisations)
        .select_related("meeting", "organisation", "recorded_by")
        .order_by("organisation__name")
    )
    # bulk_create sends no save signal: each row staff add is recorded here (not those known;
    # the demo data, recorded by nobody, is no admin change).
    for row in rows:
        if row.pk not in known and by is not None:
            record_addition(
                by=by,
                obj=row,
                action="record_meeting_attendance",
                fields=("meeting_id", "organisation_id", "recorded_by_id"),
            )
    return rows


@transaction.atomic
def delete_exchange_meetings(*, meetings: QuerySet[ExchangeMeeting]) -> int:
    """Delete exchange meetings with their attendance rows; return how many meetings went.

    The yearly ranking counts them (host and attendance), so its cached pages are renewed.
    """
    count = meetings.count()
    deleted, _by_model = meetings.delete()
    if deleted:
        _attendance_changed()
    return count


def exchange_meeting_changed(*, meeting: ExchangeMeeting) -> None:
    """A meeting was added or edited (date, host): renew the pages cached from attendance."""
    _attendance_changed()


@transaction.atomic
def delete_meeting_attendance(*, attendances: QuerySet[MeetingAttendance]) -> int:
    """Delete mistaken attendance rows (a row is never edited); return how many went."""
    deleted, _by_model = attendances.delete()
    if deleted:
        _attendance_changed()
    return deleted
