"""A real Celery worker on Redis delivers the notice outbox at least once, as the README says.

Each notice goes once: normally; after the worker is killed mid-batch before a message was
handed over (the scan reclaims the batch's rows after their lease); and when a duplicated task
message arrives. Killed after a real SMTP server took a message and before the row was
recorded, that notice goes twice, after the lease, with the same Message-ID: the documented
edge, shown (the rest of that batch goes once, after the lease too).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from members.notices import actions
from members.notices.models import Delivery, Preference
from services.notices import REQUEST_STEP
from tests.celery_workers import Worker, wait_for
from tests.conftest import make_user
from tests.rota.smtp_server import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SHORT_LEASES = {"NOTICE_SENDING_LEASE_SECONDS": "3", "NOTICE_REQUEUE_AFTER_SECONDS": "3"}
SCAN = "notices.scan_deliveries"
CONTEXT = {
    "number": 1,
    "step": "Dispatched",
    "service": "创业咨询",
    "status": "Dispatched",
    "organisation": "",
    "note": "",
}


def beat(worker: Worker):
    """What beat does every minute: publish the scan task by name."""
    return lambda: worker.send(SCAN)


def all_sent() -> bool:
    return not Delivery.objects.exclude(status="sent").exists()


def write_notices(monkeypatch, people: int = 3) -> int:
    """Notices to `people` persons by e-mail and SMS, committed while the broker was away (so
    only the scan hands them to the worker); return how many rows there are."""
    monkeypatch.setattr(actions.delivery, "hand_to_workers", lambda ids: None)
    for n in range(people):
        user = make_user(email=f"p{n}@example.cn", phone=f"1390000{n:04d}")
        Preference.objects.create(user=user, kind=REQUEST_STEP, email=True, sms=True)
        with transaction.atomic():
            actions.notify(
                kind=REQUEST_STEP, to=[user], event=f"kill:{n}", context=CONTEXT, link="/"
            )
    Delivery.objects.update(enqueued_at=None)
    return Delivery.objects.count()


def assert_each_sent_once(worker: Worker, domain: str = "deqing-hub.local") -> None:
    rows = list(Delivery.objects.all())
    assert rows and all(d.status == "sent" for d in rows)
    assert sorted(worker.outputs.email_ids()) == sorted(
        f"<{d.idempotency_key}@{domain}>" for d in rows if d.channel == "email"
    )
    assert sorted(worker.outputs.sms_keys()) == sorted(
        d.idempotency_key for d in rows if d.channel == "sms"
    )


def test_worker_killed_mid_batch_then_restarted_sends_each_notice_once(
    postgres, redis_url, celery_worker, monkeypatch
):
    expected = write_notices(monkeypatch)
    slow = {
        **SHORT_LEASES,
        "SMS_BACKEND": "tests.rota.gateways.SlowBackend",
        "ROTA_TEST_SMS_SECONDS": "1.5",
    }
    worker = celery_worker(redis_url, **slow)
    worker.start()
    worker.send(SCAN)
    # Killed while an SMS is on its way (before the gateway has it), after one notice went.
    wait_for(
        lambda: (
            Delivery.objects.filter(status="sent").exists()
            and worker.outputs.started_marks()
            and Delivery.objects.filter(status="sending", channel="sms").exists()
        ),
        timeout=90,
        every=0.05,
        what=f"a send in progress; worker log:\n{worker.log_tail()}",
    )
    worker.kill()
    assert Delivery.objects.exclude(status="sent").exists(), "killed after the batch"

    restarted = celery_worker(redis_url, queue=worker.queue, **slow)
    restarted.start()
    wait_for(
        all_sent,
        timeout=120,
        what=f"all sent after restart:\n{restarted.log_tail()}",
        tick=beat(restarted),
    )
    assert Delivery.objects.count() == expected
    assert_each_sent_once(restarted)
    assert Delivery.objects.filter(attempts__gte=2).exists()  # the killed row was tried again


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def test_worker_killed_after_the_mail_server_accepted_resends_after_the_lease_same_message_id(
    postgres, redis_url, celery_worker, smtp_server, monkeypatch
):
    write_notices(monkeypatch)
    domain = "kill-test.example"
    lease = 600  # long on purpose: only the test moving the claim back ends it
    env = {
        "EMAIL_URL": smtp_server.url,
        "NOTICE_MESSAGE_ID_DOMAIN": domain,
        "NOTICE_SENDING_LEASE_SECONDS": str(lease),
        "NOTICE_REQUEUE_AFTER_SECONDS": "3",
    }
    worker = celery_worker(redis_url, **env)
    killed = threading.Event()

    def kill_on_first_message(_message: bytes) -> None:
        # The server stored the message and has not answered 250: kill our worker's group.
        if not killed.is_set():
            killed.set()
            worker.kill()

    smtp_server.on_message = kill_on_first_message
    worker.start()
    worker.send(SCAN)
    wait_for(
        lambda: killed.is_set() and worker.process.poll() is not None,
        timeout=90,
        what=f"the first e-mail to reach the SMTP server; worker log:\n{worker.log_tail()}",
    )
    # The worker had claimed its whole batch; the server holds the one message in flight.
    [message_id] = smtp_server.message_ids()
    claimed = list(Delivery.objects.filter(status="sending"))
    [lost] = [d for d in claimed if f"<{d.idempotency_key}@{domain}>" == message_id]
    assert lost.channel == "email" and lost.attempts == 1

    restarted = celery_worker(redis_url, queue=worker.queue, **env)
    restarted.start()
    for _tick in range(3):  # the beat goes on: the batch's rows stay claimed within the lease
        beat(restarted)()
    wait_for(
        lambda: not Delivery.objects.exclude(status__in=["sent", "sending"]).exists(),
        timeout=120,
        what=f"the rows outside the lost batch sent:\n{restarted.log_tail()}",
        tick=beat(restarted),
    )
    assert {d.pk for d in Delivery.objects.filter(status="sending")} == {d.pk for d in claimed}
    assert smtp_server.message_ids().count(message_id) == 1

    # The lease runs out (the claims and their queueing moved back past it); the beat goes on.
    past = timezone.now() - dt.timedelta(seconds=lease + 1)
    Delivery.objects.filter(status="sending").update(claimed_at=past, enqueued_at=past)
    wait_for(
        all_sent,
        timeout=120,
        what=f"the lost batch sent again:\n{restarted.log_tail()}",
        tick=beat(restarted),
    )
    lost.refresh_from_db()
    assert lost.status == "sent" and lost.attempts == 2
    emails = [d for d in Delivery.objects.all() if d.channel == "email"]
    # Two copies of the lost notice, with one Message-ID; one of every other.
    assert Counter(smtp_server.message_ids()) == {
        f"<{d.idempotency_key}@{domain}>": 2 if d.pk == lost.pk else 1 for d in emails
    }
    first, second = (m for m in smtp_server.messages() if m["Message-ID"] == message_id)
    assert first["Subject"] == second["Subject"]
