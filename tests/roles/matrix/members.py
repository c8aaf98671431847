"""members: accounts, enterprises, branches, members, personal-data reveals, the audit trail."""

from __future__ import annotations

import itertools

from members.audit import AuditEvent, record_event
from members.demo import demo_credit_code
from members.models import Enterprise, Member
from tests.conftest import make_user
from tests.roles.matrix import ALL, OWN, AdminSpec

_n = itertools.count(1)


def grow_members(world, count: int) -> None:
    branch = world["branch"]["own"]
    for _ in range(count):
        n = next(_n)
        code = demo_credit_code(7000 + n)
        employer = Enterprise.objects.create(name=f"企业{n}", credit_code=code)
        user = make_user(email=f"m{n}@example.cn", phone=f"1360000{n:04d}")
        Member.objects.create(
            name=f"成员{n}", gender="f", branch=branch, employer=employer, user=user
        )


def grow_audit_events(world, count: int) -> None:
    for _ in range(count):
        record_event(
            AuditEvent.Kind.ADMIN_CHANGE, user=world["users"]["auditor"], obj=world["member"]["own"]
        )


def grow_users(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        make_user(email=f"u{n}@example.cn", phone=f"1380000{n:04d}")


ADMIN = [
    AdminSpec(
        model="members.member",
        rows=lambda world: world["member"],
        allowed={
            "centre_staff": {
                "view": ALL,
                "change": ALL,
                "delete": ALL,
                "export": ALL,
                "add": ALL,
            },
            "branch_secretary": {"view": OWN, "change": OWN, "export": OWN},
        },
        marker=lambda row: row.name,
        grow=grow_members,
        grow_viewers=("centre_staff", "branch_secretary"),
    ),
    AdminSpec(
        model="members.auditevent",
        rows=lambda world: {"any": world["auditevent"]["own"]},
        # Read-only for everyone; centre staff change data, so they do not read the trail.
        allowed={"auditor": {"view": ALL}},
        grow=grow_audit_events,
        grow_viewers=("auditor",),
    ),
]
