"""Periodic work of the members app (thin: the management command holds the rule)."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="members.purge_audit")
def purge_audit() -> None:
    """Remove audit records past AUDIT_RETENTION_DAYS; a repeat finds nothing more to remove."""
    call_command("purge_audit")
