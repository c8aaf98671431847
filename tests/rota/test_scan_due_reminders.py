"""The reminder scan: what falls due when, to whom; running it again sends nothing again."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command

from rota import actions
from rota.actions import outbox
from rota.models import Delivery, DutyReport, DutyWeek
from tests.rota.conftest import make_org, make_week, sms_files

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 3, 16)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def rows(week) -> set[tuple[str, str]]:
    return set(Delivery.objects.filter(duty_week=week).values_list("kind", "channel"))


@pytest.fixture
def week(db, centre):
    org = make_org("晨曦社工")
    return make_week(org, MONDAY)


def run(now, captured=None):
    """One scan at `now`, sending whatever it queued (as the worker would)."""
    result = actions.scan_due_reminders(now=now, enqueue=False)
    for pk in result.queued:
        actions.deliver_reminder(delivery_id=pk, now=now)
    return result


def test_nothing_is_due_eight_days_before(week):
    run(at(MONDAY - dt.timedelta(days=8)))
    assert rows(week) == set()


def test_seven_days_before_the_duty_contact_gets_email_and_sms_with_a_link(week, settings):
    run(at(MONDAY - dt.timedelta(days=7)))
    assert rows(week) == {("week_ahead", "email"), ("week_ahead", "sms")}
    assert Delivery.objects.filter(status="sent").count() == 2
    [message] = mail.outbox
    assert message.to == [week.organisation.duty_contact.email]
    assert "晨曦社工" in message.subject
    assert "2026年3月16日" in message.body
    assert "/rota/acknowledge/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<rota-")
    [sms] = sms_files(settings)
    assert week.organisation.duty_contact.phone in sms
    assert "【地信红盟】" in sms


def test_unacknowledged_two_days_before_tells_backup_and_centre(week, centre):
    run(at(MONDAY - dt.timedelta(days=2)))
    escalation = [m for m in mail.outbox if "未确认" in m.subject]
    assert len(escalation) == 1
    assert set(escalation[0].to) == {
        week.organisation.backup_contact.email,
        centre.duty_contact.email,
        centre.backup_contact.email,
    }


def test_acknowledged_week_brings_no_escalation_and_no_link(week, time_machine):
    time_machine.move_to(at(MONDAY - dt.timedelta(days=6)))
    actions.acknowledge_duty(duty_week=week, by=week.organisation.duty_contact)
    run(at(MONDAY - dt.timedelta(days=1)))
    kinds = {kind for kind, _ in rows(week)}
    assert kinds == {"week_ahead", "day_before"}
    day_before = next(m for m in mail.outbox if "明天" in m.subject)
    assert "/rota/acknowledge/" not in day_before.body


def test_pre_week_reminders_stop_once_the_week_started(week):
    run(at(MONDAY, 9))
    assert rows(week) == set()


def test_week_ended_without_report_brings_a_reminder_but_not_with_a_report(week, db):
    other = make_week(make_org(), MONDAY + dt.timedelta(days=7))
    DutyReport.objects.create(duty_week=other, summary="已提交")
    run(at(MONDAY + dt.timedelta(days=14)))
    assert {k for k, _ in rows(week)} == {"report_missing"}
    assert rows(other) == set()
    assert any("轮值报告未交" in m.subject for m in mail.outbox)


def test_missed_and_done_weeks_get_nothing(db, centre):
    missed = make_week(make_org(), MONDAY, status=DutyWeek.Status.MISSED)
    run(at(MONDAY - dt.timedelta(days=1)))
    assert rows(missed) == set()


def test_double_run_sends_once(week, settings):
    now = at(MONDAY - dt.timedelta(days=7))
    first = run(now)
    second = run(now + dt.timedelta(minutes=1))
    assert first.created == 2
    assert second.created == 0
    assert second.queued == []
    assert len(mail.outbox) == 1
    assert len(sms_files(settings)) == 1
    # a late duplicate task message for a sent row does nothing either
    for delivery in Delivery.objects.all():
        assert actions.deliver_reminder(delivery_id=delivery.pk, now=now) is None
    assert len(mail.outbox) == 1


def test_scan_enqueues_after_commit_and_the_task_sends(
    week, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(at(MONDAY - dt.timedelta(days=7), 9, 5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = actions.scan_due_reminders()
    # nothing sent inside the transaction; the queueing waits for the commit
    assert len(result.queued) == 2
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert Delivery.objects.filter(status="sent").count() == 2
    assert len(mail.outbox) == 1


def test_a_row_stuck_in_sending_is_reclaimed_after_the_lease(week, settings):
    now = at(MONDAY - dt.timedelta(days=7))
    result = actions.scan_due_reminders(now=now, enqueue=False)
    stuck = Delivery.objects.get(pk=result.queued[0])
    # a worker claimed it and died before sending
    Delivery.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=now)
    assert stuck.pk not in run(now + dt.timedelta(minutes=1)).queued
    later = now + dt.timedelta(seconds=settings.ROTA_SENDING_LEASE_SECONDS + 60)
    again = run(later)
    assert again.reclaimed == 1
    assert stuck.pk in again.queued
    stuck.refresh_from_db()
    assert stuck.status == "sent"


def test_changed_contact_is_honoured_at_send_time(week):
    now = at(MONDAY - dt.timedelta(days=7))
    result = actions.scan_due_reminders(now=now, enqueue=False)
    new_contact = week.organisation.backup_contact
    week.organisation.duty_contact = new_contact
    week.organisation.save()
    for pk in result.queued:
        actions.deliver_reminder(delivery_id=pk, now=now)
    assert mail.outbox[0].to == [new_contact.email]


def test_acknowledged_between_scan_and_send_is_skipped(week, time_machine):
    now = at(MONDAY - dt.timedelta(days=2))
    result = actions.scan_due_reminders(now=now, enqueue=False)
    time_machine.move_to(now)
    actions.acknowledge_duty(duty_week=week, by=week.organisation.duty_contact)
    for pk in result.queued:
        actions.deliver_reminder(delivery_id=pk, now=now)
    statuses = dict(Delivery.objects.filter(kind="unacknowledged").values_list("channel", "status"))
    assert set(statuses.values()) == {"skipped"}


def test_command_runs_the_same_scan(week, time_machine, capsys):
    time_machine.move_to(at(MONDAY - dt.timedelta(days=7), 10))
    call_command("send_rota_reminders", "--inline")
    assert "created=2" in capsys.readouterr().out
    assert Delivery.objects.filter(status="sent").count() == 2
    call_command("send_rota_reminders", "--inline")
    assert "created=0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_a_backlog_drains_in_batches_oldest_first(week, monkeypatch):
    monkeypatch.setattr(outbox, "SCAN_BATCH", 1)  # the module the scan reads it from
    now = at(MONDAY - dt.timedelta(days=7))
    first = actions.scan_due_reminders(now=now, enqueue=False)
    assert len(first.queued) == 1
    second = actions.scan_due_reminders(now=now, enqueue=False)
    assert len(second.queued) == 1 and second.queued != first.queued
