"""The two books: the points ledger and the stock movements.

Each is an append-only row plus a cached total on a locked row (an account's balance, a
stock's quantity) that moves with it in the same transaction and never goes below zero: a
row that would take it there is refused here, for every use case that books one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.audit_changes import record_change, snapshot
from members.refusals import Refused
from points.models import Entry, StockMovement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# Where a row of each book moves its holder's cached total:
# (the row's link to the locked holder, the holder's total, the row's change, the audit's name).
_TOTALS: dict[type[Entry | StockMovement], tuple[str, str, str, str]] = {
    Entry: ("account", "balance", "amount", "entry"),
    StockMovement: ("stock", "quantity", "quantity", "movement"),
}
# Why a row that would take the total below zero is refused (`%(<total>)s`: what is left).
_BELOW_ZERO: dict[type[Entry | StockMovement], tuple[StrOrPromise, str]] = {
    Entry: (_("The balance is %(balance)s points; it cannot go below zero."), "negative_balance"),
    StockMovement: (_("Only %(quantity)s left in stock."), "out_of_stock"),
}

Row = TypeVar("Row", Entry, StockMovement)


def book(row: Row) -> Row:
    """Append an entry or a stock movement and move its holder's cached total with it.

    The holder (the row's account or stock) must be locked; below zero is refused.
    """
    link, total, field, mention = _TOTALS[type(row)]
    holder = getattr(row, link)
    left, change = getattr(holder, total), getattr(row, field)
    if left + change < 0:
        refusal, code = _BELOW_ZERO[type(row)]
        raise Refused(refusal, code=code, params={total: left})
    row.save(force_insert=True)
    before = snapshot(holder, [total])
    type(holder).objects.filter(pk=holder.pk).update(
        **{total: F(total) + change}, updated_at=timezone.now()
    )
    setattr(holder, total, left + change)
    # .update() sends no save signal: a balance or a stock staff move in the admin is recorded
    # here (the row itself is recorded by the audit receivers as it is saved).
    record_change(
        by=row.created_by,
        obj=holder,
        action=row.kind,
        before=before,
        admin_pages_only=True,
        extra={mention: row.pk},
    )
    return row
