"""Celery tasks of the notice outbox: thin, by id, idempotent (the row is the source of truth)."""

from __future__ import annotations

from celery import shared_task

from members.notices import actions


@shared_task(name="notices.scan_deliveries", ignore_result=True)
def scan_deliveries() -> int:
    """Queue the rows ready to send (lost messages, retries, lapsed leases); return how many."""
    return len(actions.scan_deliveries().queued)


@shared_task(name="notices.send_notice", ignore_result=True)
def send_notice(delivery_id: int) -> str | None:
    """Send one outbox row; a repeated or late message for the same row does nothing.

    The outbox queues batches (`send_notices`); this one-row task still takes the messages a
    broker holds from before batches, and a row anyone hands over by itself."""
    delivery = actions.deliver(delivery_id=delivery_id)
    return delivery.status if delivery else None


@shared_task(name="notices.send_notices", ignore_result=True)
def send_notices(delivery_ids: list[int]) -> int:
    """Send a batch of outbox rows; rows already claimed or sent are left alone. Return how
    many this run sent or tried."""
    return len(actions.deliver_batch(delivery_ids=delivery_ids))
