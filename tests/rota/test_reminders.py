"""Duty reminders through the notices outbox: what falls due when, to whom, on which channels;
a repeated or concurrent scan tells nobody twice; a failure lands in the notices' queue."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command

from members.notices import actions as notices
from members.notices.models import Delivery, Notice, Preference
from members.notices.queries import failed_deliveries_count
from rota import actions
from rota.models import DutyReport, DutyWeek, Reminder
from tests.concurrency import run_together
from tests.notices.conftest import deliver_pending
from tests.notices.test_deliver import robot  # noqa: F401 (a fixture)
from tests.rota.conftest import make_org, make_week, sms_files

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 3, 16)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def issued(week) -> set[str]:
    return set(Reminder.objects.filter(duty_week=week).values_list("kind", flat=True))


def told(week, kind: str) -> list[tuple[int, str]]:
    """(recipient, channel) of every delivery of one reminder of `week`."""
    return sorted(
        Delivery.objects.filter(
            notice__event__startswith=f"rota.reminder:{week.pk}:{kind}:", notice__user__isnull=False
        ).values_list("notice__user_id", "channel")
    )


@pytest.fixture
def week(db, centre):
    return make_week(make_org("晨曦社工"), MONDAY)


def run(now):
    """One scan at `now`, then the worker sends what the outbox holds."""
    count = actions.issue_due_reminders(now=now)
    deliver_pending()  # the outbox rows are due from the real clock's now
    return count


def test_nothing_is_due_eight_days_before(week):
    assert run(at(MONDAY - dt.timedelta(days=8))) == 0
    assert issued(week) == set() and not Notice.objects.exists()


def test_seven_days_before_the_duty_contact_gets_inbox_email_and_sms_with_a_link(week, settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    contact = week.organisation.duty_contact
    # Mandatory: whatever a preference row says, the reminder goes on every channel.
    Preference.objects.create(user=contact, kind="rota.reminder", email=False, sms=False)
    assert run(at(MONDAY - dt.timedelta(days=7))) == 1
    assert issued(week) == {"week_ahead"}
    assert told(week, "week_ahead") == [(contact.pk, "email"), (contact.pk, "sms")]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    [notice] = Notice.objects.filter(user=contact)
    assert notice.kind == "rota.reminder" and "晨曦社工" in notice.subject
    assert notice.link.startswith("https://dangqun.example.cn/rota/acknowledge/")
    [message] = mail.outbox
    assert message.to == [contact.email]
    assert "https://dangqun.example.cn/rota/acknowledge/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<notice-")
    [sms] = sms_files(settings)
    assert contact.phone in sms and "https://dangqun.example.cn/rota/acknowledge/" in sms
    contact.refresh_from_db()
    assert contact.unread_notices == 1


def test_a_contact_without_a_mobile_gets_no_sms_row(db, centre):
    org = make_org()
    type(org.duty_contact).objects.filter(pk=org.duty_contact.pk).update(phone=None)
    week = make_week(org, MONDAY)
    run(at(MONDAY - dt.timedelta(days=7)))
    assert told(week, "week_ahead") == [(org.duty_contact_id, "email")]
    assert failed_deliveries_count() == 0


def test_the_escalation_goes_to_the_backup_and_the_centre_contacts(week, centre):
    run(at(MONDAY - dt.timedelta(days=2)))
    people = {user for user, _ in told(week, "unacknowledged")}
    assert people == {
        week.organisation.backup_contact_id,
        centre.duty_contact_id,
        centre.backup_contact_id,
    }
    # each once per channel
    assert Counter(told(week, "unacknowledged")).most_common(1)[0][1] == 1
    assert len(told(week, "unacknowledged")) == 6
    escalation = [m for m in mail.outbox if m.to[0] != week.organisation.duty_contact.email]
    assert len(escalation) == 3


def test_an_acknowledged_week_brings_no_escalation_and_no_acknowledge_link(week, time_machine):
    time_machine.move_to(at(MONDAY - dt.timedelta(days=6)))
    actions.acknowledge_duty(duty_week=week, by=week.organisation.duty_contact)
    run(at(MONDAY - dt.timedelta(days=1)))
    assert issued(week) == {"week_ahead", "day_before"}
    assert all("/rota/acknowledge/" not in m.body for m in mail.outbox)


def test_pre_week_reminders_stop_once_the_week_started(week):
    assert run(at(MONDAY, 9)) == 0
    assert issued(week) == set()


def test_the_report_reminder_comes_once_and_stops_when_a_report_exists(week, db):
    other = make_week(make_org(), MONDAY + dt.timedelta(days=7))
    DutyReport.objects.create(duty_week=other, summary="已提交")
    after = at(MONDAY + dt.timedelta(days=14))
    run(after)
    run(after + dt.timedelta(days=1))
    assert issued(week) == {"report_missing"}
    assert issued(other) == set()
    assert told(week, "report_missing") == [
        (week.organisation.duty_contact_id, "email"),
        (week.organisation.duty_contact_id, "sms"),
    ]
    # A report filed before the reminder falls due: none comes.
    late = make_week(make_org(), MONDAY + dt.timedelta(days=14))
    DutyReport.objects.create(duty_week=late, summary="按时提交")
    run(at(MONDAY + dt.timedelta(days=21)))
    assert issued(late) == set()


def test_missed_and_done_weeks_get_nothing(db, centre):
    missed = make_week(make_org(), MONDAY, status=DutyWeek.Status.MISSED)
    run(at(MONDAY - dt.timedelta(days=1)))
    assert issued(missed) == set()


def test_a_double_run_tells_each_recipient_once(week, settings):
    now = at(MONDAY - dt.timedelta(days=7))
    assert run(now) == 1
    assert run(now + dt.timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 1 and len(sms_files(settings)) == 1
    # a late duplicate task message for a sent row does nothing either
    for delivery in Delivery.objects.all():
        assert notices.deliver(delivery_id=delivery.pk) is None
    assert len(mail.outbox) == 1


def test_the_scan_queues_after_commit_and_the_task_sends(
    week, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(at(MONDAY - dt.timedelta(days=7), 9, 5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert actions.issue_due_reminders() == 1
    assert mail.outbox == []  # nothing sent inside the transaction
    for callback in callbacks:
        callback()
    assert Delivery.objects.filter(status="sent").count() == 2
    assert len(mail.outbox) == 1


def test_a_refused_sms_is_in_the_notices_failed_queue_and_staff_can_retry(week, settings, staff):
    settings.SMS_BACKEND = "tests.rota.gateways.RefusingBackend"
    now = at(MONDAY - dt.timedelta(days=7))
    run(now)
    failed = Delivery.objects.get(status="failed")
    assert failed.channel == "sms" and failed.last_error
    assert failed_deliveries_count() == 1
    settings.SMS_BACKEND = "members.sms.FileBackend"
    assert notices.retry_failed_deliveries(ids=[failed.pk], by=staff) == 1
    deliver_pending()
    failed.refresh_from_db()
    assert failed.status == "sent" and failed_deliveries_count() == 0


def test_the_staff_robots_get_each_reminder_once(week, settings, robot):  # noqa: F811
    url, handler = robot
    settings.NOTICE_WECOM_WEBHOOK_URL = url
    handler.answers = [(200, {"errcode": 0, "errmsg": "ok"})] * 4
    now = at(MONDAY - dt.timedelta(days=7))
    run(now)
    run(now + dt.timedelta(minutes=1))
    [group] = Delivery.objects.filter(channel="wecom")
    assert group.status == "sent" and group.notice.audience == "staff"
    assert len(handler.received) == 1
    assert "晨曦社工" in handler.received[0]["text"]["content"]


def test_the_command_runs_the_same_scan_and_sends_inline(week, time_machine, capsys):
    time_machine.move_to(at(MONDAY - dt.timedelta(days=7), 10))
    call_command("send_rota_reminders", "--inline")
    assert "issued=1" in capsys.readouterr().out
    assert Delivery.objects.filter(status="sent").count() == 2
    call_command("send_rota_reminders", "--inline")
    assert "issued=0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_scanning_and_sending_at_once_tell_each_recipient_once(postgres, settings):
    orgs = [make_org() for _ in range(6)]
    for i, org in enumerate(orgs):
        make_week(org, MONDAY + dt.timedelta(weeks=i))
    # Both threads scan at each week's day-before in turn and send what the outbox holds, as
    # two beat ticks and two workers racing would. They move to the next moment together.
    same_moment = threading.Barrier(2)

    def worker():
        for i in range(6):
            same_moment.wait(timeout=30)
            moment = at(MONDAY + dt.timedelta(weeks=i, days=-1))
            actions.issue_due_reminders(now=moment)
            deliver_pending()

    assert run_together(worker, worker).errors == []
    rows = list(Delivery.objects.values_list("notice__event", "notice__user_id", "channel"))
    assert rows and len(rows) == len(set(rows))
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == Delivery.objects.filter(channel="email").count()
    assert len(sms_files(settings)) == Delivery.objects.filter(channel="sms").count()
    # each week's three pre-week reminders (week ahead, not acknowledged, day before; no centre
    # here, so the escalation goes to the backup contact alone)
    # and the first four weeks' report reminders, due by the last moment - each to one person
    assert Reminder.objects.count() == 6 * 3 + 4
    assert Notice.objects.count() == 6 * 3 + 4


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_issue_the_report_reminder_once(postgres):
    week = make_week(make_org("晨曦社工"), MONDAY)
    after = at(MONDAY + dt.timedelta(days=7), 12)
    race = run_together(
        lambda: actions.issue_due_reminders(now=after),
        lambda: actions.issue_due_reminders(now=after),
    )
    assert race.errors == []
    assert sorted(race.values) == [0, 1]
    assert issued(week) == {"report_missing"}
    assert Notice.objects.filter(user=week.organisation.duty_contact).count() == 1


def test_a_report_filed_before_its_reminder_went_stops_the_copies_still_waiting(week, time_machine):
    after = at(MONDAY + dt.timedelta(days=7))
    time_machine.move_to(after)
    assert actions.issue_due_reminders(now=after) == 1  # issued; the worker has not sent it yet
    contact = week.organisation.duty_contact
    actions.file_duty_report(
        duty_week=week, by=contact, summary="志愿服务", services_delivered=3, participants=20
    )
    deliver_pending()
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"skipped"}
    assert Notice.objects.filter(user=contact).count() == 1  # the inbox copy stays


def test_an_acknowledgement_stops_the_escalation_still_waiting(week, centre, time_machine):
    saturday = at(MONDAY - dt.timedelta(days=2))
    time_machine.move_to(saturday)
    actions.issue_due_reminders(now=saturday)
    actions.acknowledge_duty(duty_week=week, by=week.organisation.duty_contact)
    deliver_pending()
    escalation = Delivery.objects.filter(notice__event__contains=":unacknowledged:")
    assert escalation.exists()
    assert set(escalation.values_list("status", flat=True)) == {"skipped"}
    # the week-ahead reminder issued in the same scan still went
    assert Delivery.objects.filter(notice__event__contains=":week_ahead:", status="sent").exists()


def test_the_text_and_the_link_carry_the_one_token_signed_for_the_reminder(week, time_machine):
    # The token is signed once a reminder (signing is most of the cost of a text): the text's
    # link and the notice's link are the same, and the text is compose()'s own.
    from django.urls import reverse

    from rota import reminders
    from rota.actions import reminders as reminder_actions

    time_machine.move_to(at(MONDAY - dt.timedelta(days=7)), tick=False)
    telling = reminder_actions.telling(week=week, kind="week_ahead", event="e")
    token = reminders.acknowledge_token(week)
    assert telling.link == reverse("rota:acknowledge", args=[token])
    assert telling.context["body"].endswith(telling.link)
    assert telling.context["body"] == reminders.compose("week_ahead", week).body
    # A kind whose text carries no link signs nothing and links to the person's rota.
    report = reminder_actions.telling(week=week, kind="report_missing", event="e")
    assert (
        report.link == reverse("rota:my_rota")
        and "/rota/acknowledge/" not in report.context["body"]
    )
