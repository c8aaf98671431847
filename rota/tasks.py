"""Celery tasks of the rota: thin and idempotent (the `Reminder` rows are the schedule)."""

from __future__ import annotations

from celery import shared_task

from rota import actions


@shared_task(name="rota.issue_due_reminders", ignore_result=True)
def issue_due_reminders() -> int:
    """Issue the duty reminders that fell due (the notices outbox sends them); return how many."""
    return actions.issue_due_reminders()
