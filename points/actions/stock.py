"""Stock at the exchange points: restocking and writing off."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NotRequired, TypedDict, Unpack, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import User
from points.actions.books import move_stock
from points.actions.checks import check_positive, check_text
from points.locks import lock_stock
from points.models import ExchangePoint, Item, Stock, StockMovement


class StockChange(TypedDict):
    """What a restock or a write-off names besides its quantity; a repeated `reference`
    returns the first movement (none given: a new one each time)."""

    point: ExchangePoint
    item: Item
    reason: str
    by: NotRequired[User | None]
    reference: NotRequired[str]
    at: NotRequired[datetime | None]


@transaction.atomic
def restock(*, quantity: int, **change: Unpack[StockChange]) -> StockMovement:
    """Add items to a point's stock; a repeated reference returns the first movement."""
    return _change_stock(
        kind=StockMovement.Kind.RESTOCK, quantity=check_positive(quantity), **change
    )


@transaction.atomic
def write_off(*, quantity: int, **change: Unpack[StockChange]) -> StockMovement:
    """Remove damaged or lost items from a point's stock, never below zero."""
    return _change_stock(
        kind=StockMovement.Kind.WRITE_OFF, quantity=-check_positive(quantity), **change
    )


def _change_stock(
    *,
    point: ExchangePoint,
    item: Item,
    kind: str,
    quantity: int,
    reason: str,
    by: User | None = None,
    reference: str = "",
    at: datetime | None = None,
) -> StockMovement:
    reason = check_text(reason, code="reason_required", message=_("A reason is required."))
    reference = reference.strip() or f"{kind}:{uuid.uuid4().hex}"
    Stock.objects.get_or_create(point=point, item=item)
    stock = cast(Stock, lock_stock(point_id=point.pk, item_id=item.pk))  # it exists: made above
    earlier = StockMovement.objects.filter(stock=stock, reference=reference).first()
    if earlier:
        return earlier
    return move_stock(
        stock=stock,
        kind=kind,
        quantity=quantity,
        reason=reason,
        reference=reference,
        by=by,
        at=at or timezone.now(),
    )
