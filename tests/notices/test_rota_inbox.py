"""Duty reminders land in the contacts' inboxes once, beside the rota's own outbox rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from members.notices.models import Delivery as NoticeDelivery
from members.notices.models import Notice, Preference
from rota import actions
from rota.models import Delivery, DutyReport
from tests.concurrency import run_together
from tests.rota.conftest import make_org, make_week

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 3, 16)
DUE = dt.datetime(2026, 3, 9, 9, 0, tzinfo=SH)


def test_a_due_reminder_is_in_the_duty_contacts_inbox_once_and_sent_by_the_rota(settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    week = make_week(make_org("晨曦社工"), MONDAY)
    contact = week.organisation.duty_contact
    # Mandatory: whatever a preference row says, the reminder reaches the inbox.
    Preference.objects.create(user=contact, kind="rota.reminder", email=False, sms=False)

    actions.scan_due_reminders(now=DUE, enqueue=False)
    actions.scan_due_reminders(now=DUE, enqueue=False)

    [notice] = Notice.objects.all()
    assert notice.user == contact and notice.kind == "rota.reminder"
    assert "晨曦社工" in notice.subject
    assert notice.link == "https://dangqun.example.cn/rota/mine/"
    assert "https://dangqun.example.cn/rota/acknowledge/" in notice.body
    contact.refresh_from_db()
    assert contact.unread_notices == 1
    # Sent by the rota's outbox (its schedule and rows), not a second time by the notices'.
    assert Delivery.objects.count() >= 1 and not NoticeDelivery.objects.exists()


# Issue #16's "duty report missing": the rota's own report reminder (the Monday after the week,
# to the duty contact) is that notice; these pin that it reaches the inbox once.
AFTER_THE_WEEK = dt.datetime(2026, 3, 23, 12, 0, tzinfo=SH)


def report_missing_notices(week):
    return Notice.objects.filter(event=f"rota.reminder:{week.pk}:{Delivery.Kind.REPORT_MISSING}")


def test_a_missing_duty_report_reaches_the_duty_contacts_inbox_once(settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    week = make_week(make_org("晨曦社工"), MONDAY)

    actions.scan_due_reminders(now=AFTER_THE_WEEK, enqueue=False)
    actions.scan_due_reminders(now=AFTER_THE_WEEK + dt.timedelta(hours=1), enqueue=False)

    [notice] = report_missing_notices(week)
    assert notice.user == week.organisation.duty_contact
    assert "晨曦社工" in notice.subject
    assert notice.link == "https://dangqun.example.cn/rota/mine/"


def test_no_report_missing_notice_once_the_report_is_filed_or_before_the_week_ends():
    filed = make_week(make_org("晨曦社工"), MONDAY)
    DutyReport.objects.create(duty_week=filed)
    running = make_week(make_org("团县委"), MONDAY + dt.timedelta(days=7))

    actions.scan_due_reminders(now=AFTER_THE_WEEK, enqueue=False)

    assert not report_missing_notices(filed).exists()
    assert not report_missing_notices(running).exists()


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_put_the_report_reminder_in_the_inbox_once():
    week = make_week(make_org("晨曦社工"), MONDAY)

    race = run_together(
        lambda: actions.scan_due_reminders(now=AFTER_THE_WEEK, enqueue=False),
        lambda: actions.scan_due_reminders(now=AFTER_THE_WEEK, enqueue=False),
    )

    assert race.errors == []
    assert report_missing_notices(week).count() == 1
