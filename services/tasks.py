"""Celery tasks of the services app: thin, take ids, idempotent."""

from __future__ import annotations

from celery import shared_task

from services import actions


@shared_task
def flag_overdue_requests() -> int:
    """Flag requests nobody answered in time; each is flagged (and notified) once."""
    return actions.flag_overdue_requests()
