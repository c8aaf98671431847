"""Writing notices: inbox copy always, outbox rows per chosen channel, once per event."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from members.notices import actions
from members.notices.models import Delivery, Notice, Preference
from services.notices import REQUEST_STEP
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.notices.conftest import deliver_pending

pytestmark = pytest.mark.django_db

CONTEXT = {
    "number": 7,
    "step": "Dispatched",
    "service": "创业咨询",
    "status": "Dispatched",
    "organisation": "团县委 & <晨曦>",
    "note": "",
}


def tell(*people, event="test:1", **extra):
    return actions.notify(
        kind=REQUEST_STEP,
        to=people,
        event=event,
        context=CONTEXT,
        link="/services/requests/7/",
        **extra,
    )


def test_a_notice_is_in_the_inbox_and_goes_by_email_with_an_absolute_link(settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    alice = make_user(email="alice@example.cn")

    [notice] = tell(alice)

    assert notice.user == alice and notice.read_at is None
    assert notice.link == "https://dangqun.example.cn/services/requests/7/"
    assert "服务申请" in notice.subject  # Chinese by default
    alice.refresh_from_db()
    assert alice.unread_notices == 1
    [row] = Delivery.objects.all()
    assert (row.channel, row.status) == ("email", "pending")
    deliver_pending()
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1
    [message] = mail.outbox
    assert message.to == ["alice@example.cn"]
    assert "https://dangqun.example.cn/services/requests/7/" in message.body
    assert "团县委 & <晨曦>" in message.body  # plain text: nothing HTML-escaped
    assert message.extra_headers["Message-ID"] == f"<notice-{row.pk}-email@deqing-hub.local>"


def test_the_same_event_tells_nobody_twice():
    alice = make_user(email="alice@example.cn")
    tell(alice)
    assert tell(alice) == []
    assert Notice.objects.count() == 1 and Delivery.objects.count() == 1
    alice.refresh_from_db()
    assert alice.unread_notices == 1


def test_the_one_who_acted_and_inactive_accounts_are_not_told():
    alice = make_user(email="alice@example.cn")
    bob = make_user(email="bob@example.cn", is_active=False)
    carol = make_user(email="carol@example.cn")
    assert tell(alice, bob, carol, None, exclude=carol) != []
    assert list(Notice.objects.values_list("user", flat=True)) == [alice.pk]


def test_english_when_the_recipient_chose_it():
    alice = make_user(email="alice@example.cn", language="en")
    [notice] = tell(alice)
    assert notice.subject.startswith("Service request #7") and notice.language == "en"


def test_a_person_with_only_a_mobile_gets_a_short_sms(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    dave = make_user(email="", phone="13800000001")
    tell(dave)
    [row] = Delivery.objects.all()
    assert row.channel == "sms"
    assert row.body.endswith("https://dangqun.example.cn/services/requests/7/")
    deliver_pending()
    row.refresh_from_db()
    assert row.status == "sent"
    [sent] = tmp_path.glob("*.txt")
    assert f"Key: {row.idempotency_key}" in sent.read_text()


def test_preferences_choose_the_channels_and_the_inbox_stays():
    alice = make_user(email="alice@example.cn", phone="13800000002")
    Preference.objects.create(user=alice, kind=REQUEST_STEP, email=False, sms=True)
    tell(alice, event="a")
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]
    Preference.objects.filter(user=alice).update(sms=False)
    tell(alice, event="b")
    assert Notice.objects.count() == 2  # switched off: still in the inbox
    assert Delivery.objects.count() == 1


def test_no_address_for_a_chosen_channel_fails_with_the_reason_and_the_inbox_keeps_it():
    alice = make_user(email="alice@example.cn", phone=None)
    Preference.objects.create(user=alice, kind=REQUEST_STEP, email=True, sms=True)
    tell(alice)
    deliver_pending()
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.last_error) == ("failed", "the recipient has no mobile number")
    assert Delivery.objects.get(channel="email").status == "sent"
    assert Notice.objects.get().user == alice


def test_a_relative_link_is_refused():
    alice = make_user(email="alice@example.cn")
    with pytest.raises(ValueError):
        actions.notify(kind=REQUEST_STEP, to=[alice], event="x", context=CONTEXT, link="x/")


def test_mark_read_one_and_all_keep_the_count():
    alice = make_user(email="alice@example.cn")
    first = tell(alice, event="a")[0]
    tell(alice, event="b")
    tell(alice, event="c")
    assert actions.mark_read(user=alice, notice_id=first.pk) is True
    assert actions.mark_read(user=alice, notice_id=first.pk) is False  # repeat: no-op
    alice.refresh_from_db()
    assert alice.unread_notices == 2
    assert actions.mark_all_read(user=alice) == 2
    alice.refresh_from_db()
    assert alice.unread_notices == 0
    assert not Notice.objects.unread().exists()


def test_someone_elses_notice_cannot_be_marked_read():
    alice = make_user(email="alice@example.cn")
    mallory = make_user(email="m@example.cn")
    notice = tell(alice)[0]
    assert actions.mark_read(user=mallory, notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.read_at is None


def test_rows_are_queued_after_commit(django_capture_on_commit_callbacks):
    alice = make_user(email="alice@example.cn")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(alice)
    assert len(callbacks) == 1
    assert Delivery.objects.get().enqueued_at is not None


def test_several_events_at_once_tell_each_person_of_each_once():
    alice = make_user(email="alice@example.cn")
    bob = make_user(email="bob@example.cn")
    tell(alice, event="test:1")
    tellings = [
        actions.Telling(to=[alice, bob], event=f"test:{n}", context=CONTEXT, link="/")
        for n in (1, 2)
    ]

    created = actions.notify_many(kind=REQUEST_STEP, tellings=tellings)

    # alice already had test:1: she is told of test:2 only; bob of both.
    assert sorted((n.event, n.user_id) for n in created) == [
        ("test:1", bob.pk),
        ("test:2", alice.pk),
        ("test:2", bob.pk),
    ]
    assert Delivery.objects.count() == 4  # one e-mail a notice
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.unread_notices, bob.unread_notices) == (2, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_callers_telling_the_same_event_at_once_tell_each_person_once(postgres):
    alice = make_user(email="alice@example.cn")
    bob = make_user(email="bob@example.cn")

    def told() -> int:
        with transaction.atomic():
            return len(tell(alice, bob, event="race:1"))

    race = run_together(told, told)

    assert not race.errors
    assert sum(race.values) == 2  # each person told by one of them
    assert Notice.objects.count() == 2 and Delivery.objects.count() == 2
    alice.refresh_from_db()
    assert alice.unread_notices == 1


@pytest.mark.postgres
def test_the_notices_counts_and_outbox_rows_are_one_statement_and_queued_together(
    postgres, django_assert_num_queries, django_capture_on_commit_callbacks, monkeypatch
):
    alice = make_user(email="alice@example.cn", phone="13800000001")
    bob = make_user(email="bob@example.cn")
    tell(alice, event="test:1")
    tellings = [
        actions.Telling(to=[alice, bob], event=f"test:{n}", context=CONTEXT, link="/")
        for n in (1, 2)
    ]
    queued: list[list[int]] = []
    monkeypatch.setattr(actions.delivery, "hand_to_workers", queued.append)

    # The preferences (this kind is not mandatory), then everything else in one statement.
    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_num_queries(2),
    ):
        created = actions.notify_many(kind=REQUEST_STEP, tellings=tellings)

    assert len(created) == 3
    # Only the notices written got outbox rows and counts; those rows are the ones queued.
    written = Delivery.objects.filter(notice__in=created)
    assert queued == [sorted(written.values_list("pk", flat=True))]
    assert all(row.enqueued_at is not None for row in written)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.unread_notices, bob.unread_notices) == (2, 2)


def test_a_value_longer_than_its_column_is_refused_not_cut(db):
    """Given an event longer than its column (100), when it is told, then the write fails as
    an INSERT of it would and nothing is written: a value is never stored cut short."""
    from django.db import DataError, IntegrityError

    alice = make_user(email="alice@example.cn")
    with pytest.raises((DataError, IntegrityError)), transaction.atomic():
        tell(alice, event="test:" + "9" * 120)
    assert not Notice.objects.exists()
    assert not Delivery.objects.exists()
