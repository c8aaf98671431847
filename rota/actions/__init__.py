"""Use cases of the rota, one module per concern; `from rota import actions` reaches them all.

generation (fill the weeks) · duty_weeks (acknowledge, mark missed, reassign) · swaps ·
reports (duty reports) · feed_tokens (calendar feed URLs) · outbox (reminders: scan, queue,
send, retry) · attendance (exchange meetings attended) · checks (shared permission check).
"""

from rota.actions.attendance import (
    delete_exchange_meetings,
    delete_meeting_attendance,
    exchange_meeting_changed,
    record_meeting_attendance,
)
from rota.actions.duty_weeks import (
    PRE_WEEK_KINDS,
    acknowledge_duty,
    mark_missed,
    reassign_duty_week,
)
from rota.actions.feed_tokens import revoke_feed_token, rotate_feed_token
from rota.actions.generation import GenerationResult, generate_rota
from rota.actions.outbox import (
    SCAN_BATCH,
    ScanResult,
    deliver_reminder,
    queue_delivery,
    retry_failed_deliveries,
    scan_due_reminders,
)
from rota.actions.reports import file_duty_report
from rota.actions.swaps import (
    SWAP_DECISION_FIELDS,
    WEEK_HANDOVER_FIELDS,
    accept_swap,
    approve_swap,
    cancel_swap,
    decline_swap,
    reject_swap,
    request_swap,
)

__all__ = [
    "PRE_WEEK_KINDS",
    "SCAN_BATCH",
    "SWAP_DECISION_FIELDS",
    "WEEK_HANDOVER_FIELDS",
    "GenerationResult",
    "ScanResult",
    "accept_swap",
    "acknowledge_duty",
    "approve_swap",
    "cancel_swap",
    "decline_swap",
    "delete_exchange_meetings",
    "delete_meeting_attendance",
    "deliver_reminder",
    "exchange_meeting_changed",
    "file_duty_report",
    "generate_rota",
    "mark_missed",
    "queue_delivery",
    "reassign_duty_week",
    "record_meeting_attendance",
    "reject_swap",
    "request_swap",
    "retry_failed_deliveries",
    "revoke_feed_token",
    "rotate_feed_token",
    "scan_due_reminders",
]
