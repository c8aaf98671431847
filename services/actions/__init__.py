"""Use cases of the services app: the only writers of its rows; `from services import actions`.

Every action is keyword-only, atomic, returns the changed object and raises `Refused`
(with a code and a message in the user's language) when a rule refuses, changing nothing.
One module per concern: service_requests (点单 → 派单 → 接单 → 办结 → 评单, notices) ·
records (services delivered) · signups (activities, waiting list) · checkin (QR code,
attendance list, points) · categories · checks (who may act for an organisation).

Lock order (one place): an activity row first (`select_for_update`), then the points
account the points app locks inside `award`. Nothing here locks in another order.
"""

from services.actions.categories import SERVICE_LIST_CATEGORIES, ensure_categories
from services.actions.checkin import (
    CHECKIN_MARGIN,
    check_in,
    checkin_token,
    tick_attendance,
    verify_checkin_token,
)
from services.actions.records import check_record, duty_week_for, record_service
from services.actions.service_requests import (
    REQUEST_STALE,
    accept_request,
    complete_request,
    decline_request,
    dispatch_request,
    flag_overdue_requests,
    rate_request,
    request_service,
    withdraw_request,
)
from services.actions.signups import (
    cancel_sign_up,
    promote_waiting,
    remind_tomorrows_activities,
    sign_up,
)

__all__ = [
    "CHECKIN_MARGIN",
    "REQUEST_STALE",
    "SERVICE_LIST_CATEGORIES",
    "accept_request",
    "cancel_sign_up",
    "check_in",
    "check_record",
    "checkin_token",
    "complete_request",
    "decline_request",
    "dispatch_request",
    "duty_week_for",
    "ensure_categories",
    "flag_overdue_requests",
    "promote_waiting",
    "rate_request",
    "record_service",
    "remind_tomorrows_activities",
    "request_service",
    "sign_up",
    "tick_attendance",
    "verify_checkin_token",
    "withdraw_request",
]
