"""The two books: the points ledger and the stock movements.

Each is an append-only row plus a cached total on a locked row (an account's balance, a
stock's quantity) that moves with it in the same transaction and never goes below zero: a
row that would take it there is refused here, for every use case that books one.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.audit_changes import record_change, snapshot
from members.models import User
from members.refusals import Refused
from points.models import Account, Entry, Stock, StockMovement, Voucher


def _book(
    row: Entry | StockMovement,
    *,
    holder: Account | Stock,
    total: str,
    change: int,
    by: User | None,
    kind: str,
    mention: str,
) -> None:
    """Append `row` and move the holder's cached `total` by `change` (the holder is locked)."""
    row.save(force_insert=True)
    before = snapshot(holder, [total])
    type(holder).objects.filter(pk=holder.pk).update(
        **{total: F(total) + change}, updated_at=timezone.now()
    )
    setattr(holder, total, getattr(holder, total) + change)
    # .update() sends no save signal: a balance or a stock staff move in the admin is recorded
    # here (the row itself is recorded by the audit receivers as it is saved).
    record_change(
        by=by,
        obj=holder,
        action=kind,
        before=before,
        admin_pages_only=True,
        extra={mention: row.pk},
    )


def post_entry(
    *,
    account: Account,
    kind: str,
    amount: int,
    reason: str,
    source: str,
    key: str,
    by: User | None,
    at: datetime,
    voucher: Voucher | None = None,
) -> Entry:
    """Append one entry and move the cached balance with it (the account is locked)."""
    if account.balance + amount < 0:
        raise Refused(
            _("The balance is %(balance)s points; it cannot go below zero."),
            code="negative_balance",
            params={"balance": account.balance},
        )
    entry = Entry(
        account=account,
        kind=kind,
        amount=amount,
        reason=reason,
        source=source,
        idempotency_key=key,
        voucher=voucher,
        created_by=by,
        created_at=at,
    )
    _book(entry, holder=account, total="balance", change=amount, by=by, kind=kind, mention="entry")
    return entry


def move_stock(
    *,
    stock: Stock,
    kind: str,
    quantity: int,
    reason: str,
    reference: str,
    by: User | None,
    at: datetime,
    voucher: Voucher | None = None,
) -> StockMovement:
    """Append one stock movement and move the cached quantity with it (the stock is locked)."""
    if stock.quantity + quantity < 0:
        raise Refused(
            _("Only %(quantity)s left in stock."),
            code="out_of_stock",
            params={"quantity": stock.quantity},
        )
    movement = StockMovement(
        stock=stock,
        kind=kind,
        quantity=quantity,
        reason=reason,
        reference=reference,
        voucher=voucher,
        created_by=by,
        created_at=at,
    )
    _book(
        movement,
        holder=stock,
        total="quantity",
        change=quantity,
        by=by,
        kind=kind,
        mention="movement",
    )
    return movement
