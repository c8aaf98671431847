"""Delivering a batch of outbox rows: claimed in one statement, each row by one worker only,
the e-mails over one connection, every outcome recorded (a failure beside the sent rows)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail

from members.notices import actions
from members.notices.models import Delivery, Preference
from services.notices import REQUEST_STEP
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.rota.smtp_server import SmtpServer

CONTEXT = {
    "number": 7,
    "step": "Dispatched",
    "service": "创业咨询",
    "status": "Dispatched",
    "organisation": "",
    "note": "",
}


def write_rows(people: int, event: str = "batch:1") -> list[int]:
    users = [make_user(email=f"b{n}@example.cn") for n in range(people)]
    actions.notify(kind=REQUEST_STEP, to=users, event=event, context=CONTEXT, link="/")
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    host, port = server.url.removeprefix("smtp://").split(":")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, int(port)
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


@pytest.mark.django_db
def test_a_batchs_emails_go_over_one_connection_and_a_failure_is_recorded_beside_them(
    smtp_server,
):
    write_rows(3)
    # A fourth person chose e-mail but has no address: a permanent failure in the same batch.
    nobody = make_user(email="", phone="13900000077")
    Preference.objects.create(user=nobody, kind=REQUEST_STEP, email=True, sms=False)
    actions.notify(kind=REQUEST_STEP, to=[nobody], event="batch:1", context=CONTEXT, link="/")
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))

    rows = actions.deliver_batch(delivery_ids=ids)

    assert [row.pk for row in rows] == ids
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["sent", "sent", "sent", "failed"]
    assert Delivery.objects.get(pk=ids[3]).last_error == "the recipient has no e-mail address"
    assert smtp_server.connections == 1
    assert sorted(smtp_server.message_ids()) == sorted(
        f"<notice-{pk}-email@deqing-hub.local>" for pk in ids[:3]
    )
    # Repeated (a duplicated task message): nothing is claimed, nothing goes again.
    assert actions.deliver_batch(delivery_ids=ids) == []
    assert len(smtp_server.message_ids()) == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_batch_send_each_row_once(postgres, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    ids = write_rows(20)

    race = run_together(
        lambda: actions.deliver_batch(delivery_ids=ids),
        lambda: actions.deliver_batch(delivery_ids=list(reversed(ids))),
    )

    assert not race.errors
    first, second = ({row.pk for row in rows} for rows in race.values)
    assert not first & second and first | second == set(ids)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    sent = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert sent == {f"<notice-{pk}-email@deqing-hub.local>": 1 for pk in ids}
