"""members: accounts, enterprises, branches, members, personal-data reveals, the audit trail."""

from __future__ import annotations

import itertools

from members.audit import AuditEvent, record_event
from members.demo import demo_credit_code
from members.models import Branch, Enterprise, Invitation, Member, PersonalDataReveal
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


def grow_enterprises(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        Enterprise.objects.create(name=f"增长企业{n}", credit_code=demo_credit_code(7500 + n))


def grow_branches(world, count: int) -> None:
    # Led by the world's secretary, so the rows are in their scope too.
    for _ in range(count):
        n = next(_n)
        branch = Branch.objects.create(
            name=f"增长党支部{n}", kind="joint", secretary=world["users"]["branch_secretary"]
        )
        branch.enterprises.add(
            Enterprise.objects.create(name=f"支部企业{n}", credit_code=demo_credit_code(8000 + n))
        )
        Member.objects.create(name=f"支部成员{n}", gender="m", branch=branch)


def grow_reveals(world, count: int) -> None:
    for _ in range(count):
        PersonalDataReveal.objects.create(
            member=world["member"]["own"],
            revealed_by=world["users"]["centre_staff"],
            channel=PersonalDataReveal.Channel.ADMIN,
        )


def plain_account(world) -> dict:
    return {"any": make_user(email="plain@example.cn", phone="13500000199")}


def enterprise(world) -> dict:
    return {
        "any": Enterprise.objects.create(
            name="德清地信测试公司", credit_code=demo_credit_code(7001)
        )
    }


def reveal(world) -> dict:
    return {
        "any": PersonalDataReveal.objects.create(
            member=world["member"]["other"],
            revealed_by=world["users"]["centre_staff"],
            channel=PersonalDataReveal.Channel.ADMIN,
        )
    }


def _invitation(world, n: int) -> Invitation:
    member = world["member"]["other"]
    return Invitation.objects.create(
        member=member,
        user=make_user(email=f"invited{n}@example.cn", phone=f"1350001{n:04d}"),
        token_digest=f"{n:064d}",
        sent_by=world["users"]["centre_staff"],
        expires_at=member.updated_at,
    )


def invitation(world) -> dict:
    return {"any": _invitation(world, next(_n))}


def grow_invitations(world, count: int) -> None:
    for _ in range(count):
        _invitation(world, next(_n))


EVERYTHING = {"view": ALL, "change": ALL, "delete": ALL, "export": ALL, "add": ALL}


ADMIN = [
    AdminSpec(
        model="members.user",
        rows=plain_account,
        # Accounts are disabled, not deleted (the audit trail keeps naming who did what).
        allowed={"centre_staff": {"view": ALL, "change": ALL, "add": ALL}},
        grow=grow_users,
    ),
    AdminSpec(
        model="members.enterprise",
        rows=enterprise,
        # Secretaries read the register to pick a member's employer; it is not personal data.
        allowed={"centre_staff": EVERYTHING, "branch_secretary": {"view": ALL}},
        marker=lambda row: row.name,
        grow=grow_enterprises,
        grow_viewers=("centre_staff", "branch_secretary"),
    ),
    AdminSpec(
        model="members.branch",
        rows=lambda world: world["branch"],
        # Which enterprises form a branch, and who leads it, is the town committee's decision.
        allowed={"centre_staff": EVERYTHING, "branch_secretary": {"view": OWN}},
        marker=lambda row: row.name,
        grow=grow_branches,
        grow_viewers=("centre_staff", "branch_secretary"),
    ),
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
    AdminSpec(
        model="members.personaldatareveal",
        rows=reveal,
        # Who saw whose full data is audit material: the auditor's, not the revealers'.
        allowed={"auditor": {"view": ALL}},
        grow=grow_reveals,
        grow_viewers=("auditor",),
    ),
    AdminSpec(
        model="members.invitation",
        rows=invitation,
        # Read-only: who was invited when, by which channel, and whether the account is open.
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_invitations,
    ),
]
