"""The Celery task: thin and idempotent; declared in the one beat schedule."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core import mail

from deqing_hub.celery import app
from deqing_hub.schedule import BEAT_SCHEDULE
from members.notices.models import Delivery
from members.notices.tasks import send_notice
from rota import tasks
from tests.rota.conftest import make_org, make_week, sms_files

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_tasks_run_twice_send_once(db, time_machine, settings, django_capture_on_commit_callbacks):
    time_machine.move_to(dt.datetime(2026, 3, 9, 9, 30, tzinfo=SH))
    make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_due_reminders.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_due_reminders.delay().get() == 0
    for delivery in Delivery.objects.all():
        assert send_notice.delay(delivery.pk).get() is None  # already sent
    assert len(mail.outbox) == 1
    assert len(sms_files(settings)) == 1


def test_the_reminders_and_the_outbox_are_on_the_beat_schedule_every_minute():
    for name, task in (
        ("rota-issue-due-reminders", "rota.issue_due_reminders"),
        ("notices-scan-deliveries", "notices.scan_deliveries"),
    ):
        entry = BEAT_SCHEDULE[name]
        assert entry["task"] == task
        assert entry["task"] in app.tasks
        assert entry["schedule"].minute == set(range(60))
    # one sender: no other task of the rota sends anything
    assert not [t for t in app.tasks if t.startswith("rota.") and "send" in t]
