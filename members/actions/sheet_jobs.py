"""Large sheets imported by a worker: start, confirm, cancel, run (see members.sheet_jobs).

The worker runs exactly what the admin's import page runs for a small sheet
(`members.sheets.files.import_rows` with the page's resource, in the importer's scope), so a
sheet is judged the same whatever its size. The confirmed import and the job's move to
"imported" commit together: a worker that dies halfway leaves nothing imported and the job
still "importing", and the next worker (after the lease) imports it once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from members.audit import AuditEvent, record_event
from members.refusals import Refused
from members.sheet_jobs import SheetJob
from members.sheets.files import SheetRejected, import_rows
from members.transitions import transition

if TYPE_CHECKING:
    from members.models import User
    from members.sheets.resources import SheetResource


class Busy(Exception):
    """Another worker holds the job and its lease has not run out: try again later."""


def start_sheet_job(
    *, resource: type[SheetResource], content: bytes, file_name: str, rows: int, by: User
) -> SheetJob:
    """Keep the upload and queue its check; the importer follows it on the job's page."""
    job = SheetJob.objects.create(
        resource=f"{resource.__module__}.{resource.__qualname__}",
        model_label=resource._meta.model._meta.label_lower,
        file_name=file_name[:255],
        content=content,
        rows=rows,
        by=by,
    )
    _queue(job.pk)
    return job


def _queue(job_id: int) -> None:
    from members.tasks import run_sheet_job

    transaction.on_commit(lambda: run_sheet_job.delay(job_id))


def _own(job_id: int, by: User) -> SheetJob:
    job = SheetJob.objects.filter(pk=job_id, by=by).first()
    if job is None:
        raise Refused(_("No such import."), code="not_found")
    return job


@transaction.atomic
def confirm_sheet_job(*, job_id: int, by: User) -> SheetJob:
    """The importer saw the check and confirms: import every row (or none) in the background."""
    job = _own(job_id, by)
    transition(
        job,
        allowed=[SheetJob.Status.CHECKED],
        to=SheetJob.Status.IMPORTING,
        refusal=_("This import is %(status)s and cannot be confirmed."),
        repeat_ok=True,
        started_at=None,
    )
    _queue(job.pk)
    return job


@transaction.atomic
def cancel_sheet_job(*, job_id: int, by: User) -> None:
    """Drop a checked or rejected job and the file it holds (a running one finishes first)."""
    job = _own(job_id, by)
    if job.is_running:
        raise Refused(_("This import is still running; wait until it finishes."), code="busy")
    job.delete()


def _take(job: SheetJob, now: dt.datetime) -> bool:
    lease = dt.timedelta(seconds=settings.SHEET_JOB_LEASE_SECONDS)
    return transition(
        job,
        allowed=SheetJob.RUNNING,
        to=job.status,
        when=Q(started_at__isnull=True) | Q(started_at__lt=now - lease),
        started_at=now,
    )


def run_sheet_job(*, job_id: int, now: dt.datetime | None = None) -> SheetJob | None:
    """Check or import the job's sheet, whichever step it waits for; a repeat does nothing.

    Raises Busy while another worker holds it (the task retries after the lease).
    """
    job = SheetJob.objects.select_related("by").filter(pk=job_id).first()
    if job is None or not job.is_running:
        return job  # removed, or done by an earlier run of this task
    now = now or timezone.now()
    if not _take(job, now):
        raise Busy
    resource_class = import_string(job.resource)
    dry_run = job.status == SheetJob.Status.CHECKING
    finished: dict[str, Any]
    with translation.override(job.by.language or settings.LANGUAGE_CODE), transaction.atomic():
        try:
            report = import_rows(
                resource=resource_class(user=job.by),
                content=bytes(job.content),
                file_name=job.file_name,
                by=job.by,
                dry_run=dry_run,
            )
        except SheetRejected as exc:
            finished = {
                "status": SheetJob.Status.REJECTED,
                "problems": [
                    {"row": p.row, "column": p.column, "text": str(p)} for p in exc.problems
                ],
                "content": b"",
            }
            totals = {}
        else:
            finished = {
                "status": SheetJob.Status.CHECKED if dry_run else SheetJob.Status.IMPORTED,
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
            if not dry_run:
                finished["content"] = b""
            totals = {"new": report.new, "update": report.updated, "skip": report.unchanged}
        # Only the worker holding the lease records the outcome (with the import, if any).
        moved = SheetJob.objects.filter(pk=job.pk, started_at=job.started_at).update(
            updated_at=timezone.now(), **finished
        )
        if not moved:
            transaction.set_rollback(True)
            return None
        if not dry_run:
            # The same record as the admin's import page writes on confirming (SheetAuditMixin).
            record_event(
                AuditEvent.Kind.IMPORT,
                user=job.by,
                success=finished["status"] != SheetJob.Status.REJECTED,
                details={
                    "model": job.model_label,
                    "totals": {k: v for k, v in totals.items() if v},
                },
            )
    job.refresh_from_db()
    return job


def purge_sheet_jobs(*, now: dt.datetime | None = None) -> int:
    """Remove jobs (and the files they hold) untouched for SHEET_JOB_KEEP_HOURS."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.SHEET_JOB_KEEP_HOURS)
    deleted, _counts = SheetJob.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
