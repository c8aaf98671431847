"""Use cases of the rota, one module per concern; `from rota import actions` reaches them all.

generation (fill the weeks) · duty_weeks (acknowledge, mark missed, reassign) · swaps ·
reports (duty reports) · feed_tokens (calendar feed URLs) · reminders (issue the due duty
reminders through members.notices) · attendance (exchange meetings attended) · checks
(shared permission check).
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
from rota.actions.reminders import issue_due_reminders
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
    "SWAP_DECISION_FIELDS",
    "WEEK_HANDOVER_FIELDS",
    "GenerationResult",
    "accept_swap",
    "acknowledge_duty",
    "approve_swap",
    "cancel_swap",
    "decline_swap",
    "delete_exchange_meetings",
    "delete_meeting_attendance",
    "exchange_meeting_changed",
    "file_duty_report",
    "generate_rota",
    "issue_due_reminders",
    "mark_missed",
    "reassign_duty_week",
    "record_meeting_attendance",
    "reject_swap",
    "request_swap",
    "revoke_feed_token",
    "rotate_feed_token",
]
