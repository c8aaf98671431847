"""Duty reminders land in the contacts' inboxes once, beside the rota's own outbox rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from members.notices.models import Delivery as NoticeDelivery
from members.notices.models import Notice, Preference
from rota import actions
from rota.models import Delivery
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
