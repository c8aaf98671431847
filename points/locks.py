"""Row locks of the points app, in one place and one order.

Every action that changes several rows locks them in this order: accounts (by pk), then
stocks (by pk), then it moves vouchers with a conditional UPDATE. Two transactions that
need the same rows therefore queue up instead of deadlocking (Saleor giftcard/lock_objects.py).
On SQLite `select_for_update` is a no-op; its IMMEDIATE transactions serialise writers instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from members.models import Member
from points.models import Account, Stock


def lock_accounts(members: Iterable[Member]) -> dict[int, Account]:
    """Create missing accounts, then lock every member's account in pk order.

    Returns the locked accounts keyed by member pk.
    """
    member_ids = sorted({m.pk for m in members})
    existing = set(
        Account.objects.filter(member_id__in=member_ids).values_list("member_id", flat=True)
    )
    missing = [pk for pk in member_ids if pk not in existing]
    if missing:
        # Two transactions may create the same account at once: the unique member column
        # makes the loser skip its row, and the lock below then waits for the winner.
        Account.objects.bulk_create(
            [Account(member_id=pk) for pk in missing], ignore_conflicts=True
        )
    locked = Account.objects.select_for_update().filter(member_id__in=member_ids).order_by("pk")
    return {account.member_id: account for account in locked}


def lock_account(member: Member) -> Account:
    """Create the member's account if missing and lock it."""
    return lock_accounts([member])[member.pk]


def lock_existing_account(member: Member) -> Account | None:
    """Lock the member's account if it exists, without creating one."""
    return Account.objects.select_for_update().filter(member=member).first()


def lock_stock(*, point_id: int, item_id: int) -> Stock | None:
    """Lock the stock of one item at one point (after any account locks)."""
    return Stock.objects.select_for_update().filter(point_id=point_id, item_id=item_id).first()
