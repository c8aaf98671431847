"""The services app's notice kinds (registered in ServicesConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notices.kinds import NoticeKind, register

REQUEST_STEP = "services.request_step"
PROMOTED = "services.promoted"
ACTIVITY_REMINDER = "services.activity_reminder"


def register_kinds() -> None:
    register(
        NoticeKind(
            key=REQUEST_STEP,
            label=_("A step on a service request"),
            template="services/notices/request_step.txt",
            example={
                "number": 12,
                "step": _("Dispatched"),
                "service": "创业咨询",
                "status": _("Dispatched"),
                "organisation": "团县委",
                "note": "",
            },
            example_link="/services/requests/12/",
        )
    )
    register(
        NoticeKind(
            key=PROMOTED,
            label=_("A place at an activity from the waiting list"),
            template="services/notices/promoted.txt",
            example={"activity": "青年联谊会", "starts": "2026-12-05 14:00", "venue": "红盟书吧"},
            example_link="/activities/3/",
        )
    )
    register(
        NoticeKind(
            key=ACTIVITY_REMINDER,
            label=_("Reminder of an activity the day before"),
            template="services/notices/activity_reminder.txt",
            example={"activity": "青年联谊会", "starts": "2026-12-05 14:00", "venue": "红盟书吧"},
            example_link="/activities/3/",
        )
    )
