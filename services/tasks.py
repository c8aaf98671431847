"""Celery tasks of the services app: thin, take ids, idempotent."""

from __future__ import annotations

from celery import shared_task

from services import actions


@shared_task
def send_request_notice(event_id: int) -> int:
    """E-mail the people involved in one request step (sends once however often it runs)."""
    return actions.send_request_notice(event_id=event_id)


@shared_task
def send_promotion_notice(signup_id: int) -> int:
    """Tell a member they moved up from the waiting list (sends once)."""
    return actions.send_promotion_notice(signup_id=signup_id)


@shared_task
def flag_overdue_requests() -> int:
    """Flag requests nobody answered in time; each is flagged (and notified) once."""
    return actions.flag_overdue_requests()
