"""Celery tasks of the rota: thin, by id, idempotent (the outbox row is the source of truth)."""

from __future__ import annotations

from celery import shared_task

from rota import actions


@shared_task(name="rota.scan_due_reminders", ignore_result=True)
def scan_due_reminders() -> int:
    """Create due outbox rows and queue the ready ones; return how many were queued."""
    return len(actions.scan_due_reminders().queued)


@shared_task(name="rota.send_reminder", ignore_result=True)
def send_reminder(delivery_id: int) -> str | None:
    """Send one outbox row; a repeated or late message for the same row does nothing."""
    delivery = actions.deliver_reminder(delivery_id=delivery_id)
    return delivery.status if delivery else None
