"""Every change staff make in the rota admin leaves one audit record per row changed, with
before and after values, also where the action writes with .update() or bulk_create."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from members.audit import AuditEvent
from members.notices.models import Delivery
from rota import actions
from rota.models import DutyWeek, ExchangeMeeting, MeetingAttendance, SwapRequest
from tests.rota.conftest import make_org, make_week

CHANGE = AuditEvent.Kind.ADMIN_CHANGE


def _records(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            kind=CHANGE, object_id=str(obj.pk), content_type__model=obj._meta.model_name
        )
    )


@pytest.fixture
def weeks(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    a, b = make_org("晨曦社工"), make_org("团县委")
    return make_week(a, dt.date(2026, 3, 16)), make_week(b, dt.date(2026, 3, 23))


def _accepted_swap(weeks) -> SwapRequest:
    mine, theirs = weeks
    swap = actions.request_swap(from_week=mine, to_week=theirs, by=mine.organisation.duty_contact)
    return actions.accept_swap(swap=swap, by=theirs.organisation.duty_contact)


def test_mark_missed_in_the_admin_is_recorded_once_per_week(weeks, client, staff, time_machine):
    mine, theirs = weeks
    theirs.status = DutyWeek.Status.CONFIRMED
    theirs.save()
    time_machine.move_to(dt.datetime(2026, 3, 24, 10, 0))  # both weeks have started
    client.force_login(staff)

    response = client.post(
        reverse("admin:rota_dutyweek_changelist"),
        {"action": "mark_missed", "_selected_action": [mine.pk, theirs.pk]},
    )

    assert response.status_code == 302
    for week, before in ((mine, "planned"), (theirs, "confirmed")):
        (record,) = _records(week)
        assert record.user == staff
        assert record.details["action"] == "mark_missed"
        assert record.details["changes"] == {"status": {"before": before, "after": "missed"}}
    # Marking a missed week again changes nothing, and records nothing.
    client.post(
        reverse("admin:rota_dutyweek_changelist"),
        {"action": "mark_missed", "_selected_action": [mine.pk]},
    )
    assert len(_records(mine)) == 1


def test_swap_approval_in_the_admin_records_the_request_and_both_weeks(weeks, client, staff):
    mine, theirs = weeks
    a, b = mine.organisation, theirs.organisation
    swap = _accepted_swap(weeks)
    client.force_login(staff)

    response = client.post(
        reverse("admin:rota_swaprequest_changelist"),
        {"action": "approve", "_selected_action": [swap.pk]},
    )

    assert response.status_code == 302
    (record,) = _records(swap)
    assert record.user == staff and record.details["action"] == "approve_swap"
    assert record.details["changes"] == {
        "status": {"before": "accepted", "after": "approved"},
        "decided_by_id": {"before": None, "after": staff.pk},
    }
    for week, before, after in ((mine, a, b), (theirs, b, a)):
        (record,) = _records(week)
        assert record.details["action"] == "approve_swap"
        assert record.details["swap"] == swap.pk
        changes = record.details["changes"]
        assert changes["organisation_id"] == {"before": before.pk, "after": after.pk}
        # Only what changed: the week was planned for `before` and still says so.
        assert set(changes) == {"organisation_id"}
    # Deliveries queued to tell both holders are the outbox, not admin changes.
    assert AuditEvent.objects.filter(kind=CHANGE).count() == 3
    # Approving again is a no-op: no new record.
    client.post(
        reverse("admin:rota_swaprequest_changelist"),
        {"action": "approve", "_selected_action": [swap.pk]},
    )
    assert AuditEvent.objects.filter(kind=CHANGE).count() == 3


def test_swap_rejection_in_the_admin_is_recorded(weeks, client, staff):
    swap = _accepted_swap(weeks)
    client.force_login(staff)

    client.post(
        reverse("admin:rota_swaprequest_changelist"),
        {"action": "reject", "_selected_action": [swap.pk]},
    )

    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.REJECTED
    (record,) = AuditEvent.objects.filter(kind=CHANGE)
    assert (record.object_id, record.details["action"]) == (str(swap.pk), "reject_swap")
    assert record.details["changes"]["status"] == {"before": "accepted", "after": "rejected"}


def test_attendance_added_in_the_admin_is_recorded_once(client, staff, time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 20, 10, 0))
    host, guest = make_org("晨曦社工"), make_org("李家协会")
    meeting = ExchangeMeeting.objects.create(
        year=2026, quarter=3, held_on=dt.date(2026, 9, 17), venue="红盟书吧", host=host
    )
    client.force_login(staff)

    response = client.post(
        reverse("admin:rota_meetingattendance_add"),
        {"meeting": meeting.pk, "organisation": guest.pk},
    )

    assert response.status_code == 302
    row = MeetingAttendance.objects.get()
    (record,) = _records(row)
    assert record.user == staff
    assert record.details["action"] == "record_meeting_attendance"
    assert record.details["changes"] == {
        "meeting_id": {"before": None, "after": meeting.pk},
        "organisation_id": {"before": None, "after": guest.pk},
        "recorded_by_id": {"before": None, "after": staff.pk},
    }
    # Recording it again adds no row, hence no record.
    actions.record_meeting_attendance(meeting=meeting, organisations=[guest], by=staff)
    assert len(_records(row)) == 1


def test_reminder_retry_in_the_notices_admin_is_recorded_per_row(weeks, client, staff):
    mine, _theirs = weeks
    actions.issue_due_reminders(now=dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), weeks=[mine.pk])
    failed = list(Delivery.objects.filter(notice__kind="rota.reminder"))
    assert len(failed) == 2  # the duty contact, by e-mail and SMS
    Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(status="failed", attempts=5)
    client.force_login(staff)

    client.post(
        reverse("admin:notices_delivery_changelist"),
        {"action": "retry", "_selected_action": [d.pk for d in failed]},
    )

    for delivery in failed:
        (record,) = _records(delivery)
        assert record.details["action"] == "retry_failed_deliveries"
        assert record.details["changes"] == {
            "status": {"before": "failed", "after": "pending"},
            "attempts": {"before": 5, "after": 0},
        }


def test_generating_in_the_admin_records_each_week_added(db, client, staff, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    make_org("晨曦社工"), make_org("团县委")
    client.force_login(staff)

    client.post(
        reverse("admin:rota_dutyweek_generate"),
        {"start": "2026-03-09", "end": "2026-03-29"},
    )

    weeks = list(DutyWeek.objects.order_by("week_start"))
    assert [w.week_start for w in weeks] == [
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 23),
    ]
    for week in weeks:
        (record,) = _records(week)
        assert record.user == staff and record.details["action"] == "generate_rota"
        assert record.details["changes"] == {
            "week_start": {"before": None, "after": week.week_start.isoformat()},
            "organisation_id": {"before": None, "after": week.organisation_id},
            "status": {"before": None, "after": "planned"},
        }


def test_generating_from_the_command_line_is_no_admin_change(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    make_org("晨曦社工")
    actions.generate_rota(start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 15))
    assert DutyWeek.objects.count() == 1
    assert not AuditEvent.objects.filter(kind=CHANGE).exists()
