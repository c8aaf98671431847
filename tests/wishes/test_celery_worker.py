"""A real Celery worker (a subprocess on Redis and this test's PostgreSQL database) sends each
wish notification once, even when the same task message is delivered twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from wishes.models import Wish, WishEvent

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    where = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"postgres://{s['USER']}{password}@{where}"


@pytest.fixture
def worker(postgres, redis_url, tmp_path):
    """Start `celery worker` on a queue of its own; stop it (by its process group) afterwards."""
    # This test process's own Redis database: no other process flushes it.
    broker = redis_url
    queue = f"wishes-test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_TESTING": "true",
        "DJANGO_DEBUG": "false",
        "DJANGO_CONN_MAX_AGE": "0",
        "EMAIL_URL": f"filemail:///{mail_dir}",
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [celery, "-A", "deqing_hub", "worker", "-Q", queue, "-n", f"{queue}@%h",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=INFO"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    client = Celery("wishes-test-client", broker=broker, set_as_current=False)

    def send(name: str, *args) -> None:
        client.send_task(name, args=args, queue=queue)

    def mails() -> list[str]:
        files = sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []
        return [p.read_text(encoding="utf-8") for p in files]

    yield send, mails, tmp_path / "worker.log"
    client.close()
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    log.close()
    import redis

    redis.Redis.from_url(broker).delete(queue)


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def test_a_duplicated_task_message_sends_one_email(worker, make_wish, member_user):
    send, mails, log = worker
    wish = make_wish(Wish.Status.PUBLISHED)
    event = wish.events.get(kind=WishEvent.Kind.VERIFIED)
    # In-process (eager) delivery already sent it; mark it unsent so the worker has the job.
    WishEvent.objects.filter(pk=event.pk).update(notified_at=None)
    send("wishes.tasks.notify_wish_event", event.pk)
    send("wishes.tasks.notify_wish_event", event.pk)  # redelivered, as after a crash
    wait_for(
        lambda: log.read_text(errors="replace").count("succeeded") >= 2,
        timeout=90,
        what="both task runs to finish",
    )
    texts = mails()
    assert sum(text.count("Message-ID:") for text in texts) == 1
    assert member_user.email in texts[0]
    event.refresh_from_db()
    assert event.notified_at is not None
