"""A real Celery worker on Redis sends the duty reminders through the notices outbox.

The beat publishes the rota's "issue due reminders" and the outbox's scan; the worker sends
each reminder to each recipient once per channel: normally, after the worker is killed
mid-batch before a message was handed over, and across a Redis outage (own throwaway
redis-server on another port). The edge of the guarantee (killed after the mail server took a
message) is the outbox's, shown in tests/notices/test_celery_worker.py."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from django.utils import timezone

from members.notices.models import Delivery
from rota.models import Reminder
from tests.celery_workers import Outputs, ThrowawayRedis, Worker, wait_for
from tests.rota.conftest import make_org, make_week

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# The worker uses this test process's own Redis database (REDIS_URL; each pytest-xdist
# process has its own), so no other process's cache flush can empty its queue.


def all_sent() -> bool:
    return not Delivery.objects.exclude(status="sent").exists()


def assert_each_sent_once(outputs: Outputs) -> None:
    rows = list(Delivery.objects.all())
    assert rows and all(d.status == "sent" for d in rows)
    emails = outputs.email_ids()
    sms = outputs.sms_keys()
    expected_emails = sorted(
        f"<{d.idempotency_key}@deqing-hub.local>" for d in rows if d.channel == "email"
    )
    expected_sms = sorted(d.idempotency_key for d in rows if d.channel == "sms")
    assert sorted(emails) == expected_emails
    assert sorted(sms) == expected_sms


# Short leases, so a row a killed worker had claimed is sent again within the test.
SHORT_LEASES = {"NOTICE_SENDING_LEASE_SECONDS": "3", "NOTICE_REQUEUE_AFTER_SECONDS": "3"}
ISSUE = "rota.issue_due_reminders"
SCAN = "notices.scan_deliveries"


@pytest.fixture
def worker_factory(celery_worker):
    def build(broker: str, queue: str | None = None, **env) -> Worker:
        return celery_worker(broker, queue, **{**SHORT_LEASES, **env})

    return build


def beat(worker: Worker):
    """What beat does every minute: publish both tasks by name."""

    def tick() -> None:
        worker.send(ISSUE)
        worker.send(SCAN)

    return tick


def due_weeks_now(now: dt.datetime) -> int:
    """Create duty weeks around `now` whose reminders are due; return how many outbox rows to
    expect (each recipient by e-mail and SMS: every contact here has both)."""
    from rota import reminders

    today = now.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    monday = today - dt.timedelta(days=today.weekday())
    expected = 0
    for offset in (-14, -7, 7, 14):
        week = make_week(make_org(), monday + dt.timedelta(days=offset))
        for kind in reminders.due_kinds(week, now, has_report=False):
            expected += 2 * len(reminders.recipients(kind, week))
    assert expected, "no reminder due around now: the test would show nothing"
    return expected


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_due_reminders(postgres, redis_url, worker_factory, centre):
    expected = due_weeks_now(timezone.now())
    worker = worker_factory(redis_url)
    worker.start()
    worker.send(ISSUE)
    wait_for(
        lambda: Delivery.objects.filter(status="sent").count() == expected and all_sent(),
        timeout=90,
        what=f"{expected} reminders sent; worker log:\n{worker.log_tail()}",
    )
    issued = Reminder.objects.count()
    # the next beat tick finds nothing new to issue or send
    worker.send(ISSUE)
    wait_for(
        lambda: len(re.findall(r"issue_due_reminders\[[^\]]+\] succeeded", worker.log_tail())) >= 2,
        timeout=30,
        what="the second run to finish",
    )
    assert Delivery.objects.count() == expected and Reminder.objects.count() == issued
    assert_each_sent_once(worker.outputs)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_then_restarted_sends_each_reminder_once(
    postgres, redis_url, worker_factory, centre
):
    expected = due_weeks_now(timezone.now())
    broker = redis_url
    slow = {"SMS_BACKEND": "tests.rota.gateways.SlowBackend", "ROTA_TEST_SMS_SECONDS": "1.5"}
    worker = worker_factory(broker, **slow)
    worker.start()
    worker.send(ISSUE)
    # Kill it while an SMS is on its way (before the gateway has it), after at least one
    # reminder went out: nothing was handed over twice, so everything goes exactly once.
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
    unsent = Delivery.objects.exclude(status="sent").count()
    assert unsent > 0, "the worker was killed after the batch, not in the middle"
    assert Delivery.objects.filter(status="sending").exists()

    restarted = worker_factory(broker, queue=worker.queue, **slow)
    restarted.start()
    # beat keeps ticking: the stuck row's lease runs out and lost messages are queued again
    wait_for(
        all_sent,
        timeout=120,
        what=f"all sent after restart:\n{restarted.log_tail()}",
        tick=beat(restarted),
    )
    assert Delivery.objects.count() == expected
    assert_each_sent_once(restarted.outputs)
    assert Delivery.objects.filter(attempts__gte=2).exists()  # the killed row was tried again


@pytest.mark.django_db(transaction=True)
def test_redis_down_when_reminders_fall_due_loses_nothing(
    postgres, worker_factory, tmp_path, centre
):
    # Its own Redis, never the machine's: only the redis-server program is needed.
    if not shutil.which("redis-server"):
        message = "needs the redis-server program for a throwaway Redis"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    redis_server = ThrowawayRedis(tmp_path / "redis")
    redis_server.start()
    try:
        worker = worker_factory(redis_server.url)
        worker.start()
        redis_server.stop()

        # Reminders fall due while Redis is down; the scan runs (by hand, as beat cannot publish).
        expected = due_weeks_now(timezone.now())
        result = worker.run_command("send_rota_reminders")
        assert result.returncode == 0, result.stderr
        assert "issued=" in result.stdout and "issued=0" not in result.stdout
        assert (
            Delivery.objects.filter(status="pending", enqueued_at__isnull=True).count() == expected
        )
        assert worker.outputs.email_ids() == [] and worker.outputs.sms_keys() == []

        # Redis comes back (empty: whatever it held is gone); the next beat tick sends everything.
        redis_server.start()
        wait_for(
            all_sent,
            timeout=120,
            what=f"all sent after the outage:\n{worker.log_tail()}",
            tick=beat(worker),
        )
        assert_each_sent_once(worker.outputs)
    finally:
        redis_server.stop()
