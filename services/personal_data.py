"""What services puts in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from members.exports import exclude_from_export, register_export
from services.models import Attendance, RequestEvent, ServiceRecord, ServiceRequest, SignUp


def register() -> None:
    register_export(
        ServiceRequest,
        person=["requester"],
        fields=(
            "created_at service__title enterprise__name details status organisation__name "
            "decline_reason completed_at rating rating_comment"
        ),
    )
    register_export(
        RequestEvent,
        person=["request__requester"],
        fields="request_id created_at kind note",
    )
    exclude_from_export(
        "services.RequestEvent.by",
        "steps staff and organisations took on other people's requests; the events of the "
        "caller's own requests are exported",
    )
    register_export(
        ServiceRecord,
        person=["request__requester"],
        fields="request_id delivered_on service__title organisation__name",
    )
    exclude_from_export(
        "services.ServiceRecord.recorded_by",
        "records a staff member entered of services delivered to others",
    )
    register_export(
        SignUp,
        person=["member"],
        fields="activity__title activity__starts_at status created_at cancelled_at",
    )
    register_export(
        Attendance,
        person=["member"],
        fields="activity__title method checked_in_at points_awarded",
    )
    exclude_from_export("services.Attendance.checked_in_by", "organisers checking other members in")
