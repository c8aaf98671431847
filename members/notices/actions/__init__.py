"""Telling people things, one module per concern; `from members.notices import actions` reaches
them all.

telling (write a notice to the inbox and the outbox inside the change's transaction) ·
delivery (the outbox: claim with a lease, send, record each outcome; at least once per notice
and channel) · inbox (read marks and a person's chosen channels). See the README,
"Notifications".
"""

from members.notices.actions.delivery import (
    SCAN_BATCH,
    SEND_BATCH,
    ScanResult,
    deliver,
    deliver_batch,
    hand_to_workers,
    retry_failed_deliveries,
    scan_deliveries,
)
from members.notices.actions.inbox import mark_all_read, mark_read, save_preferences
from members.notices.actions.telling import (
    SMS_SUBJECT_CHARS,
    Rendered,
    Telling,
    absolute_link,
    channels_for,
    group_channels,
    language_of,
    notify,
    notify_each,
    notify_group,
    notify_many,
    render,
    withdraw,
)

__all__ = [
    "SCAN_BATCH",
    "SEND_BATCH",
    "SMS_SUBJECT_CHARS",
    "Rendered",
    "ScanResult",
    "Telling",
    "absolute_link",
    "channels_for",
    "deliver",
    "deliver_batch",
    "group_channels",
    "hand_to_workers",
    "language_of",
    "mark_all_read",
    "mark_read",
    "notify",
    "notify_each",
    "notify_group",
    "notify_many",
    "render",
    "retry_failed_deliveries",
    "save_preferences",
    "scan_deliveries",
    "withdraw",
]
