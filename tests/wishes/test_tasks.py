"""Tasks: each notification sent once however often the task runs; one staff digest a day."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

from members.notices.models import Delivery, Notice
from members.notices.tasks import send_notice
from tests.conftest import make_user
from wishes import tasks
from wishes.models import StaffDigest, Wish, WishEvent


def deliver_all() -> int:
    """What the queued send tasks do; return how many rows were sent."""
    return sum(send_notice(pk) == "sent" for pk in Delivery.objects.values_list("pk", flat=True))


def test_a_wish_event_is_told_once_however_often_its_task_runs(make_wish, member_user):
    wish = make_wish(Wish.Status.PUBLISHED)  # on_commit never ran: nothing sent yet
    event = wish.events.get(kind="verified")
    [notice] = Notice.objects.filter(event=f"wishes.event:{event.pk}")
    assert notice.user == member_user and notice.link.endswith(f"/wishes/{wish.pk}/")
    mail.outbox.clear()
    assert (deliver_all(), deliver_all()) == (1, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member_user.email]


def test_a_send_task_for_a_deleted_row_is_quietly_skipped(db):
    assert send_notice(987654) is None


def test_a_mail_server_that_does_not_answer_is_retried_later(make_wish, settings):
    make_wish(Wish.Status.PUBLISHED)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    assert deliver_all() == 0
    row = Delivery.objects.get()
    assert row.status == "pending" and "unreachable" in row.last_error
    assert row.next_attempt_at > timezone.now()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_all() == 1


def test_events_nobody_needs_to_hear_of_write_no_notice(make_wish):
    wish = make_wish()
    event = wish.events.get(kind=WishEvent.Kind.SUBMITTED)
    assert not Notice.objects.filter(event=f"wishes.event:{event.pk}").exists()


def test_wishers_with_only_a_mobile_get_an_sms_once(make_wish, settings, tmp_path):
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    phone_only = make_user(email="", phone="13500000009", username="phone-only")
    wish = make_wish(Wish.Status.PUBLISHED, wisher=phone_only)
    mail.outbox.clear()
    assert (deliver_all(), deliver_all()) == (1, 0)
    (message,) = (tmp_path / "sms").glob("*.txt")
    text = message.read_text(encoding="utf-8")
    assert "To: 13500000009" in text and "已上墙" in text and f"/wishes/{wish.pk}/" in text
    assert mail.outbox == []


def test_an_account_with_neither_address_nor_mobile_has_the_inbox_only(make_wish, db):
    nobody = make_user(email="", phone=None, username="no-contact")
    wish = make_wish(Wish.Status.PUBLISHED, wisher=nobody)
    event = wish.events.get(kind="verified")
    assert Notice.objects.get(event=f"wishes.event:{event.pk}").user == nobody
    row = Delivery.objects.get(notice__user=nobody)
    deliver_all()
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("failed", "the recipient has no e-mail address")


def test_the_staff_digest_lists_waiting_wishes_once_a_day(make_wish, staff):
    make_wish(title="等待核实一")
    make_wish(title="等待核实二")
    mail.outbox.clear()
    assert tasks.send_staff_digest.delay().get() == 2
    assert tasks.send_staff_digest.delay().get() == 0  # run twice, one e-mail
    deliver_all()
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
    deliver_all()
    assert sorted(m.to[0] for m in mail.outbox) == ["mod@example.cn", "staff@example.cn"]


def test_the_schedule_names_the_wish_tasks():
    from deqing_hub.celery import app
    from deqing_hub.schedule import BEAT_SCHEDULE

    for key in ("wishes-staff-digest", "wishes-auto-confirm"):
        assert BEAT_SCHEDULE[key]["task"] in app.tasks
