"""Duty reports: what an organisation delivered in its week."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from members import figures_version
from members.audit_changes import record_addition
from members.images import CleanPhoto, files_removed_on_rollback
from members.refusals import STALE, Refused
from rota import locks
from rota.actions.reminders import withdraw_reminder
from rota.models import DutyReport, DutyReportPhoto, DutyWeek, Reminder

if TYPE_CHECKING:
    from members.models import User


def file_duty_report(
    *,
    duty_week: DutyWeek,
    by: User,
    summary: str,
    services_delivered: int,
    participants: int,
    photos: Sequence[CleanPhoto] = (),
) -> DutyReport:
    """The organisation reports its week once it has started; the week becomes done.

    Its contacts file it, or centre staff on its behalf (recorded in the audit trail).

    `photos` come checked and re-encoded from the form (`members.images`). Opens its own
    transaction, whose photo files are removed if it rolls back: never nest it.
    """
    with files_removed_on_rollback() as files:
        week = locks.lock_weeks(duty_week.pk)[duty_week.pk]
        if not (week.organisation.has_contact(by) or by.has_perm("rota.manage_rota")):
            raise Refused(
                _("Only a contact of the organisation can file its report."), code="scope"
            )
        if week.week_start > timezone.localdate():
            raise Refused(_("A duty report can be filed once the week has started."), code="early")
        if week.status == DutyWeek.Status.MISSED:
            raise Refused(_("This week was recorded as missed."), code=STALE)
        if DutyReport.objects.filter(duty_week=week).exists():
            raise Refused(_("A report for this week has already been filed."), code="duplicate")
        if not summary.strip():
            raise Refused(_("Describe what was delivered."), code="summary")
        report = DutyReport.objects.create(
            duty_week=week,
            summary=summary.strip(),
            services_delivered=services_delivered,
            participants=participants,
            filed_by=by,
        )
        files.save_photos(photos, lambda: DutyReportPhoto(report=report))
        DutyWeek.objects.filter(pk=week.pk).update(
            status=DutyWeek.Status.DONE, updated_at=timezone.now()
        )
        figures_version.bump()  # a week held: the home dashboard counts it (no save signal)
        withdraw_reminder(week, Reminder.Kind.REPORT_MISSING)
        if not week.organisation.has_contact(by):
            # Centre staff typed in a report the organisation handed in (on paper, say):
            # `filed_by` names them, and the trail says on whose behalf.
            record_addition(
                by=by,
                obj=report,
                action="file_duty_report_on_behalf",
                fields=("services_delivered", "participants"),
                extra={
                    "organisation": week.organisation_id,
                    "week": week.week_start.isoformat(),
                },
            )
    return report
