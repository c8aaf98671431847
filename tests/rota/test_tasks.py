"""The Celery tasks: thin, by id, idempotent; declared in the one beat schedule."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core import mail

from deqing_hub.celery import app
from deqing_hub.schedule import BEAT_SCHEDULE
from rota import tasks
from rota.models import Delivery
from tests.rota.conftest import make_org, make_week, sms_files

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_tasks_run_twice_send_once(db, time_machine, settings, django_capture_on_commit_callbacks):
    time_machine.move_to(dt.datetime(2026, 3, 9, 9, 30, tzinfo=SH))
    make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_due_reminders.delay().get() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_due_reminders.delay().get() == 0
    for delivery in Delivery.objects.all():
        assert tasks.send_reminder.delay(delivery.pk).get() is None  # already sent
    assert len(mail.outbox) == 1
    assert len(sms_files(settings)) == 1


def test_a_deleted_row_is_ignored_quietly(db):
    assert tasks.send_reminder.delay(987654).get() is None


def test_the_scan_is_on_the_beat_schedule_every_minute():
    entry = BEAT_SCHEDULE["rota-scan-due-reminders"]
    assert entry["task"] == "rota.scan_due_reminders"
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(60))
