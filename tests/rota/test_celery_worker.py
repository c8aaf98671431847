"""A real Celery worker on Redis sends the due reminders exactly once: normally, after being
killed mid-batch, and across a Redis outage (own throwaway redis-server on another port)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from django.utils import timezone

from rota.models import Delivery
from tests.rota.conftest import make_org, make_week
from tests.rota.workers import (
    Outputs,
    ThrowawayRedis,
    Worker,
    due_weeks_now,
    wait_for,
)

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


@pytest.fixture
def worker_factory(tmp_path):
    started: list = []

    def build(broker: str, **env) -> Worker:
        worker = Worker(
            broker=broker, outputs=Outputs(tmp_path), log=tmp_path / "worker.log", **env
        )
        started.append(worker)
        return worker

    yield build
    for worker in started:
        worker.stop()
        worker.forget_queue()


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_due_reminders(postgres, redis_url, worker_factory, centre):
    expected = due_weeks_now(make_week, make_org, timezone.now())
    worker = worker_factory(redis_url)
    worker.start()
    worker.trigger_scan()
    wait_for(
        lambda: Delivery.objects.filter(status="sent").count() == expected and all_sent(),
        timeout=90,
        what=f"{expected} reminders sent; worker log:\n{worker.log_tail()}",
    )
    # the next beat tick finds nothing new to send
    worker.trigger_scan()
    wait_for(
        lambda: len(re.findall(r"scan_due_reminders\[[^\]]+\] succeeded", worker.log_tail())) >= 2,
        timeout=30,
        what="the second scan to finish",
    )
    assert Delivery.objects.count() == expected
    assert_each_sent_once(worker.outputs)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_then_restarted_sends_each_reminder_once(
    postgres, redis_url, worker_factory, centre
):
    expected = due_weeks_now(make_week, make_org, timezone.now())
    broker = redis_url
    slow = {"SMS_BACKEND": "tests.rota.gateways.SlowBackend", "ROTA_TEST_SMS_SECONDS": "1.5"}
    worker = worker_factory(broker, **slow)
    worker.start()
    worker.trigger_scan()
    # Kill it while an SMS is on its way, after at least one reminder went out.
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

    restarted = worker_factory(broker, **slow)
    restarted.queue = worker.queue
    restarted.env["CELERY_TASK_DEFAULT_QUEUE"] = worker.queue
    restarted.start()
    # beat keeps ticking: the stuck row's lease runs out and lost messages are queued again
    wait_for(
        all_sent,
        timeout=120,
        what=f"all sent after restart:\n{restarted.log_tail()}",
        tick=restarted.trigger_scan,
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
        expected = due_weeks_now(make_week, make_org, timezone.now())
        result = worker.run_command("send_rota_reminders")
        assert result.returncode == 0, result.stderr
        assert f"waiting_for_broker={expected}" in result.stdout
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
            tick=worker.trigger_scan,
        )
        assert_each_sent_once(worker.outputs)
    finally:
        redis_server.stop()
