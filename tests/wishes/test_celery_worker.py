"""A real Celery worker (a subprocess on Redis and this test's PostgreSQL database) sends each
wish notification once, even when the same task message is delivered twice."""

from __future__ import annotations

import pytest

from tests.celery_workers import wait_for
from wishes.models import Wish, WishEvent

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_duplicated_task_message_sends_one_email(
    postgres, redis_url, celery_worker, make_wish, member_user
):
    # This test process's own Redis database: no other process flushes it.
    worker = celery_worker(redis_url)
    worker.start()
    wish = make_wish(Wish.Status.PUBLISHED)
    event = wish.events.get(kind=WishEvent.Kind.VERIFIED)
    # In-process (eager) delivery already sent it; mark it unsent so the worker has the job.
    WishEvent.objects.filter(pk=event.pk).update(notified_at=None)
    worker.send("wishes.tasks.notify_wish_event", event.pk)
    worker.send("wishes.tasks.notify_wish_event", event.pk)  # redelivered, as after a crash
    wait_for(
        lambda: worker.log_text().count("succeeded") >= 2,
        timeout=90,
        what="both task runs to finish",
    )
    texts = worker.outputs.mails()
    assert sum(text.count("Message-ID:") for text in texts) == 1
    assert member_user.email in texts[0]
    event.refresh_from_db()
    assert event.notified_at is not None
