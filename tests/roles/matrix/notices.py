"""notices: the outbox, the inboxes' copies and the preferences, read-only in the admin.

Centre staff read the outbox and send failed rows again (an action, not a change); nobody
edits a notice or a person's preference in the admin: notices are written by the apps'
actions, preferences by the person on /me/notifications/settings/.
"""

from __future__ import annotations

import itertools

from members.notices.models import Delivery, Notice, Preference
from tests.roles.matrix import ALL, AdminSpec

_n = itertools.count(1)


def _notice(world) -> Notice:
    return Notice.objects.create(
        kind="services.request_step",
        event=f"matrix:{next(_n)}",
        user=world["requester"],
        subject="服务申请 #1：已派单",
        language="zh-hans",
    )


def delivery_rows(world) -> dict:
    return {
        "any": Delivery.objects.create(
            notice=_notice(world),
            channel="email",
            body="x",
            status=Delivery.Status.FAILED,
            last_error="the recipient has no e-mail address",
            next_attempt_at=world["now"],
        )
    }


def grow_deliveries(world, count: int) -> None:
    for _ in range(count):
        delivery_rows(world)


def grow_notices(world, count: int) -> None:
    for _ in range(count):
        _notice(world)


def grow_preferences(world, count: int) -> None:
    for _ in range(count):
        Preference.objects.create(user=world["requester"], kind=f"matrix.{next(_n)}")


ADMIN = [
    AdminSpec(
        model="notices.delivery",
        rows=delivery_rows,
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_deliveries,
    ),
    AdminSpec(
        model="notices.notice",
        rows=lambda world: {"any": _notice(world)},
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_notices,
    ),
    AdminSpec(
        model="notices.preference",
        rows=lambda world: {
            "any": Preference.objects.create(user=world["requester"], kind="wishes.verified")
        },
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_preferences,
    ),
]
