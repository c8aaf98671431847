"""The services app's notice kinds (registered by ServicesConfig)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notices.kinds import NoticeKind

REQUEST_STEP = "services.request_step"
PROMOTED = "services.promoted"
ACTIVITY_REMINDER = "services.activity_reminder"

_ACTIVITY = {"activity": "青年联谊会", "starts": "2026-12-05 14:00", "venue": "红盟书吧"}

KINDS = (
    NoticeKind(
        key=REQUEST_STEP,
        label=_("A step on a service request"),
        example={
            "number": 12,
            "step": _("Dispatched"),
            "service": "创业咨询",
            "status": _("Dispatched"),
            "organisation": "团县委",
            "note": "",
        },
        example_link="/services/requests/12/",
    ),
    NoticeKind(
        key=PROMOTED,
        label=_("A place at an activity from the waiting list"),
        example=_ACTIVITY,
        example_link="/activities/3/",
    ),
    NoticeKind(
        key=ACTIVITY_REMINDER,
        label=_("Reminder of an activity the day before"),
        example=_ACTIVITY,
        example_link="/activities/3/",
    ),
)
