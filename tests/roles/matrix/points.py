"""points: policies, accounts, the ledger, exchange points, items, stock, vouchers."""

from __future__ import annotations

import datetime as dt
import itertools

from points.models import Item, Voucher
from tests.roles.matrix import ALL, OWN, AdminSpec

_n = itertools.count(1)


def grow_vouchers(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        item = Item.objects.create(name=f"咖啡{n}", kind="coffee", price=10)
        Voucher.objects.create(
            code=f"V{n:07d}",
            member=world["member"]["own"],
            item=item,
            point=world["point"]["own"],
            price=10,
            idempotency_key=f"k{n}",
            issued_at=world["now"],
            expires_at=world["now"] + dt.timedelta(days=30),
        )


ADMIN = [
    AdminSpec(
        model="points.voucher",
        rows=lambda world: world["voucher"],
        # A ledger: read-only for everyone.
        allowed={
            "centre_staff": {"view": ALL, "export": ALL},
            "operator": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.code,
        grow=grow_vouchers,
        grow_viewers=("centre_staff", "operator"),
    ),
]
