"""What rota puts in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from members.exports import exclude_from_export, register_export
from rota.models import DutyReport, DutyWeek, Organisation, SwapRequest


def register() -> None:
    register_export(
        Organisation,
        person=["duty_contact", "backup_contact"],
        fields="name kind duty_contact__username backup_contact__username",
    )
    register_export(
        DutyWeek,
        person=["acknowledged_by"],
        fields="week_start organisation__name status acknowledged_at",
    )
    register_export(
        SwapRequest,
        person=["requested_by", "answered_by", "decided_by"],
        fields=(
            "created_at from_week__week_start from_organisation__name to_week__week_start "
            "to_organisation__name status reason"
        ),
    )
    register_export(
        DutyReport,
        person=["filed_by"],
        fields="duty_week__week_start summary services_delivered participants filed_at",
    )
    exclude_from_export(
        "rota.MeetingAttendance.recorded_by",
        "staff record which organisations attended a meeting: about organisations",
    )
