"""A real Celery worker (a subprocess on Redis and this test's PostgreSQL database) sends each
wish notice once, even when the same task message is delivered twice."""

from __future__ import annotations

import pytest

from members.notices.models import Delivery
from tests.celery_workers import wait_for
from wishes.models import Wish

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_duplicated_task_message_sends_one_email(
    postgres, redis_url, celery_worker, make_wish, member_user
):
    # This test process's own Redis database: no other process flushes it.
    worker = celery_worker(redis_url)
    worker.start()
    make_wish(Wish.Status.PUBLISHED)
    row = Delivery.objects.get(notice__user=member_user)
    # In-process (eager) delivery already sent it; put it back so the worker has the job.
    Delivery.objects.filter(pk=row.pk).update(status="pending", sent_at=None)
    worker.send("notices.send_notice", row.pk)
    worker.send("notices.send_notice", row.pk)  # redelivered, as after a crash
    wait_for(
        lambda: worker.log_text().count("succeeded") >= 2,
        timeout=90,
        what="both task runs to finish",
    )
    texts = worker.outputs.mails()
    assert sum(text.count("Message-ID:") for text in texts) == 1
    assert member_user.email in texts[0]
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
