"""Periodic work of the members app (thin: the management command holds the rule)."""

from celery import Task, shared_task
from django.conf import settings
from django.core.management import call_command

from members.actions import sheet_jobs


@shared_task(name="members.purge_audit")
def purge_audit() -> None:
    """Remove audit records past AUDIT_RETENTION_DAYS; a repeat finds nothing more to remove."""
    call_command("purge_audit")


@shared_task(
    name="members.run_sheet_job",
    bind=True,
    max_retries=5,
    default_retry_delay=60,
)
def run_sheet_job(self: Task, job_id: int) -> None:
    """Check or import one large sheet (by id; a repeat finds the job done and does nothing)."""
    try:
        sheet_jobs.run_sheet_job(job_id=job_id)
    except sheet_jobs.Busy as exc:
        # Another worker holds it (this message was redelivered while that one still runs,
        # or it died): try again once its lease may have run out.
        raise self.retry(exc=exc, countdown=settings.SHEET_JOB_LEASE_SECONDS) from exc


@shared_task(name="members.purge_sheet_jobs")
def purge_sheet_jobs() -> None:
    """Remove sheet imports nobody finished, with the files they hold."""
    sheet_jobs.purge_sheet_jobs()
