"""Tasks: each notification sent once however often the task runs; one staff digest a day."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from tests.conftest import make_user
from wishes import tasks
from wishes.models import StaffDigest, Wish, WishEvent


def test_a_notification_task_run_twice_sends_once(make_wish, staff, member_user):
    wish = make_wish(Wish.Status.PUBLISHED)  # on_commit never ran: nothing sent yet
    event = wish.events.get(kind="verified")
    mail.outbox.clear()
    assert tasks.notify_wish_event.delay(event.pk).get() == 1
    assert tasks.notify_wish_event.delay(event.pk).get() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member_user.email]


def test_a_notification_for_a_deleted_event_is_quietly_skipped(db):
    assert tasks.notify_wish_event.delay(987654).get() == 0


def test_a_failed_send_leaves_the_event_for_the_retry(make_wish, settings):
    wish = make_wish(Wish.Status.PUBLISHED)
    event = wish.events.get(kind="verified")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with pytest.raises(Retry):  # the task asks Celery to try again later
        tasks.notify_wish_event.delay(event.pk).get()
    event.refresh_from_db()
    assert event.notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.notify_wish_event.delay(event.pk).get() == 1


def test_events_nobody_needs_to_hear_of_are_marked_done(make_wish):
    wish = make_wish()
    event = wish.events.get(kind=WishEvent.Kind.SUBMITTED)
    assert tasks.notify_wish_event.delay(event.pk).get() == 0
    event.refresh_from_db()
    assert event.notified_at is not None


def test_wishers_with_only_a_mobile_get_an_sms_once(make_wish, settings, tmp_path):
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    phone_only = make_user(email="", phone="13500000009", username="phone-only")
    wish = make_wish(Wish.Status.PUBLISHED, wisher=phone_only)
    WishEvent.objects.update(notified_at=None)
    mail.outbox.clear()
    event = wish.events.get(kind="verified")
    assert tasks.notify_wish_event.delay(event.pk).get() == 1
    assert tasks.notify_wish_event.delay(event.pk).get() == 0
    (message,) = (tmp_path / "sms").glob("*.txt")
    text = message.read_text(encoding="utf-8")
    assert "To: 13500000009" in text and "已上墙" in text and f"/wishes/{wish.pk}/" in text
    assert mail.outbox == []


def test_an_account_with_neither_address_nor_mobile_is_skipped(make_wish, db):
    nobody = make_user(email="", phone=None, username="no-contact")
    wish = make_wish(Wish.Status.PUBLISHED, wisher=nobody)
    WishEvent.objects.update(notified_at=None)
    assert tasks.notify_wish_event.delay(wish.events.get(kind="verified").pk).get() == 0


def test_the_staff_digest_lists_waiting_wishes_once_a_day(make_wish, staff):
    make_wish(title="等待核实一")
    make_wish(title="等待核实二")
    mail.outbox.clear()
    assert tasks.send_staff_digest.delay().get() == 2
    assert tasks.send_staff_digest.delay().get() == 0  # run twice, one e-mail
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email]
    assert "2 个心愿待核实" in message.subject
    assert "等待核实一" in message.body and "/admin/wishes/wish/" in message.body
    assert StaffDigest.objects.get().sent_on == timezone.localdate()


def test_no_digest_when_nothing_is_waiting(make_wish, staff):
    make_wish(Wish.Status.PUBLISHED)
    mail.outbox.clear()
    assert tasks.send_staff_digest.delay().get() == 0
    assert mail.outbox == [] and not StaffDigest.objects.exists()


def test_the_digest_goes_to_moderators_only(make_wish, staff, db):
    from django.contrib.auth.models import Permission

    moderator = make_user(email="mod@example.cn", staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_wish"))
    make_user(email="clerk@example.cn", staff=True)
    make_wish()
    mail.outbox.clear()
    tasks.send_staff_digest.delay().get()
    assert sorted(m.to[0] for m in mail.outbox) == ["mod@example.cn", "staff@example.cn"]


def test_the_schedule_names_the_wish_tasks():
    from deqing_hub.celery import app
    from deqing_hub.schedule import BEAT_SCHEDULE

    for key in ("wishes-staff-digest", "wishes-auto-confirm"):
        assert BEAT_SCHEDULE[key]["task"] in app.tasks
