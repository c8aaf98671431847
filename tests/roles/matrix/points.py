"""points: policies, accounts, the ledger, exchange points, items, stock, vouchers.

Who does what (issue #9): centre staff run the exchange (policy, items, points, stock,
accounts); an exchange-point operator sees their own point, its stock, stock movements and
vouchers, and hands items over at the operator desk. The ledgers (entries, stock movements,
vouchers, reconciliation runs) are read-only in the admin for everyone: points move through
the adjust button of an account, stock through the restock / write-off button of a stock,
vouchers through the admin actions and the public pages, all calling `points.actions`.
A member sees, and cancels, only their own vouchers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.urls import reverse

from members.models import Member
from points import actions, reconciliation
from points.models import (
    ExchangePoint,
    Item,
    Policy,
    ReconciliationRun,
    Stock,
    StockMovement,
    Voucher,
)
from tests.roles.matrix import ALL, OWN, AdminSpec, PageSpec

_n = itertools.count(1)


def _web_member(world) -> Member:
    """The Member record of the `member` persona (a web login in the own branch)."""
    return Member.objects.get(user=world["users"]["member"])


def _restock(world, key: str, *, item: Item | None = None, quantity: int = 5) -> StockMovement:
    return actions.restock(
        point=world["point"][key],
        item=item or world["item"],
        quantity=quantity,
        reason=f"进货 {key} {next(_n)}",
    )


def _funded(member: Member, amount: int = 100) -> Member:
    actions.award(member=member, amount=amount, reason="志愿服务", source=f"matrix:{next(_n)}")
    return member


def member_vouchers(world) -> dict[str, Voucher]:
    """Vouchers issued through the action: the web member's at the own point ("own"), another
    member's at the other point ("other"). Own/other is the same for members and operators."""
    holders = {"own": _web_member(world), "other": world["member"]["other"]}
    vouchers = {}
    for key, member in holders.items():
        _restock(world, key)
        vouchers[key] = actions.redeem(
            member=_funded(member),
            item=world["item"],
            point=world["point"][key],
            idempotency_key=f"matrix:{next(_n)}",
        )
    return vouchers


# --- attempts on the public pages ------------------------------------------------------------


def _shows_on_home(client, row: Voucher) -> bool:
    response = client.get(reverse("points:home"))
    return response.status_code == 200 and row.display_code in response.content.decode()


def _cancel(client, row: Voucher) -> bool:
    client.post(reverse("points:voucher_cancel", args=[row.code]))
    row.refresh_from_db()
    return row.status == Voucher.Status.CANCELLED


def _look_up_at_desk(client, row: Voucher) -> bool:
    response = client.get(reverse("points:operator"), {"code": row.display_code})
    return response.status_code == 200 and response.context["looked_up"] == row


def _hand_over(client, row: Voucher) -> bool:
    client.post(reverse("points:operator"), {"code": row.code, "point": row.point_id})
    row.refresh_from_db()
    return row.status == Voucher.Status.USED


def _redeem(client, row: Stock) -> bool:
    before = row.quantity
    client.post(
        reverse("points:redeem"),
        {"item": row.item_id, "point": row.point_id, "key": uuid.uuid4().hex},
    )
    row.refresh_from_db()
    return row.quantity == before - 1


def _redeemable_stock(world) -> dict[str, Stock]:
    _funded(_web_member(world))
    return {"any": _restock(world, "own").stock}


# --- growing changelists ---------------------------------------------------------------------


def grow_policies(world, count: int) -> None:
    # The exchange reads one policy row; extra rows here only measure the changelist.
    Policy.objects.bulk_create([Policy() for _ in range(count)])


def grow_accounts(world, count: int) -> None:
    for _ in range(count):
        member = Member.objects.create(
            name=f"党员{next(_n)}", gender="f", branch=world["branch"]["own"]
        )
        _funded(member, 5)


def grow_entries(world, count: int) -> None:
    member = world["member"]["own"]
    for _ in range(count):
        _funded(member, 1)


def grow_points(world, count: int) -> None:
    for _ in range(count):
        point = ExchangePoint.objects.create(name=f"兑换点{next(_n)}")
        point.operators.add(world["users"]["operator"])


def grow_items(world, count: int) -> None:
    for _ in range(count):
        Item.objects.create(name=f"纪念品{next(_n)}", kind="souvenir", price=20)


def grow_stocks(world, count: int) -> None:
    for _ in range(count):
        item = Item.objects.create(name=f"咖啡{next(_n)}", kind="coffee", price=10)
        _restock(world, "own", item=item)


def grow_movements(world, count: int) -> None:
    for _ in range(count):
        _restock(world, "own", quantity=1)


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


def grow_runs(world, count: int) -> None:
    for _ in range(count):
        ReconciliationRun.objects.create(
            started_at=world["now"],
            finished_at=world["now"],
            run_key=f"matrix:{next(_n)}",
            accounts_checked=1,
            stocks_checked=1,
            entries_checked=1,
        )


EXCHANGE_ADMIN = {"view": ALL, "change": ALL, "delete": ALL, "add": ALL}
LEDGER_READER = {"view": ALL, "export": ALL}
OPERATOR_READER = {"view": OWN, "export": OWN}

ADMIN = [
    AdminSpec(
        model="points.policy",
        rows=lambda world: {"any": Policy.load()},
        # One row: changed, never added (it exists) nor deleted.
        allowed={"centre_staff": {"view": ALL, "change": ALL}},
        grow=grow_policies,
    ),
    AdminSpec(
        model="points.account",
        rows=lambda world: {"any": _funded(world["member"]["own"]).points_account},
        # The monthly cap is edited; the balance moves only through the adjust button.
        allowed={"centre_staff": {"view": ALL, "change": ALL, "export": ALL}},
        marker=lambda row: row.member.name,
        grow=grow_accounts,
    ),
    AdminSpec(
        model="points.entry",
        rows=lambda world: {
            "any": actions.award(
                member=world["member"]["own"], amount=5, reason="读书会", source="matrix:entry"
            )
        },
        allowed={"centre_staff": LEDGER_READER},
        marker=lambda row: row.source,
        grow=grow_entries,
    ),
    AdminSpec(
        model="points.exchangepoint",
        rows=lambda world: world["point"],
        # Operators see their own point (address, hours, fellow operators); changing it,
        # and so who operates it, is for centre staff.
        allowed={"centre_staff": EXCHANGE_ADMIN, "operator": {"view": OWN}},
        grow=grow_points,
        grow_viewers=("centre_staff", "operator"),
    ),
    AdminSpec(
        model="points.item",
        rows=lambda world: {"any": world["item"]},
        allowed={"centre_staff": EXCHANGE_ADMIN},
        grow=grow_items,
    ),
    AdminSpec(
        model="points.stock",
        rows=lambda world: {key: _restock(world, key).stock for key in ("own", "other")},
        # A new pair starts empty; its quantity moves through restock / write-off only.
        # The export is the stocktake sheet, the operator's of their own point.
        allowed={
            "centre_staff": {"view": ALL, "export": ALL, "add": ALL},
            "operator": OPERATOR_READER,
        },
        marker=lambda row: row.point.name,
        grow=grow_stocks,
        grow_viewers=("centre_staff", "operator"),
    ),
    AdminSpec(
        model="points.stockmovement",
        rows=lambda world: {key: _restock(world, key) for key in ("own", "other")},
        allowed={"centre_staff": LEDGER_READER, "operator": OPERATOR_READER},
        marker=lambda row: row.reason,
        grow=grow_movements,
        grow_viewers=("centre_staff", "operator"),
    ),
    AdminSpec(
        model="points.voucher",
        rows=lambda world: world["voucher"],
        # Issued by members; cancelled and expired by staff through admin actions.
        allowed={"centre_staff": LEDGER_READER, "operator": OPERATOR_READER},
        marker=lambda row: row.code,
        grow=grow_vouchers,
        grow_viewers=("centre_staff", "operator"),
    ),
    AdminSpec(
        model="points.reconciliationrun",
        rows=lambda world: {"any": reconciliation.reconcile(run_key="matrix")},
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_runs,
    ),
]

# Members act on their own vouchers; operators on their own point's at the desk. Staff use
# the admin: the public voucher pages are the member's, whatever the viewer's role.
PAGES = [
    PageSpec(
        name="points:home (my vouchers)",
        rows=member_vouchers,
        url=lambda row: reverse("points:home"),
        allowed={"member": OWN},
        attempt=_shows_on_home,
    ),
    PageSpec(
        name="points:voucher_detail",
        rows=member_vouchers,
        url=lambda row: reverse("points:voucher_detail", args=[row.code]),
        allowed={"member": OWN},
    ),
    PageSpec(
        name="points:voucher_qr",
        rows=member_vouchers,
        url=lambda row: reverse("points:voucher_qr", args=[row.code]),
        allowed={"member": OWN},
    ),
    PageSpec(
        name="points:voucher_cancel",
        rows=member_vouchers,
        url=lambda row: reverse("points:voucher_cancel", args=[row.code]),
        allowed={"member": OWN},
        attempt=_cancel,
    ),
    PageSpec(
        name="points:operator (look up a code)",
        rows=member_vouchers,
        url=lambda row: reverse("points:operator"),
        allowed={"operator": OWN},
        attempt=_look_up_at_desk,
    ),
    PageSpec(
        name="points:operator (hand over)",
        rows=member_vouchers,
        url=lambda row: reverse("points:operator"),
        # Centre staff are no operators: the hand-over happens at the point, by its operator.
        allowed={"operator": OWN},
        attempt=_hand_over,
    ),
    PageSpec(
        name="points:redeem",
        rows=_redeemable_stock,
        url=lambda row: reverse("points:redeem"),
        # Any member with points, at any open point; staff accounts have no member record.
        allowed={"member": ALL},
        attempt=_redeem,
    ),
]
