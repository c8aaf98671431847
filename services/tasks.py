"""Celery tasks of the services app: thin, take ids, idempotent."""

from __future__ import annotations

from celery import shared_task

from services import actions


@shared_task
def flag_overdue_requests() -> int:
    """Flag requests nobody answered in time; each is flagged (and notified) once."""
    return actions.flag_overdue_requests()


@shared_task(name="services.remind_tomorrows_activities", ignore_result=True)
def remind_tomorrows_activities() -> int:
    """Remind everyone with a place at tomorrow's activities; each sign-up is reminded once."""
    return actions.remind_tomorrows_activities()
