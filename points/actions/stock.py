"""Stock at the exchange points: restocking and writing off."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import User
from members.refusals import Refused
from points.actions.books import move_stock
from points.actions.checks import check_positive, check_text
from points.locks import lock_stock
from points.models import ExchangePoint, Item, Stock, StockMovement


@transaction.atomic
def restock(
    *,
    point: ExchangePoint,
    item: Item,
    quantity: int,
    reason: str,
    by: User | None = None,
    reference: str = "",
    at: datetime | None = None,
) -> StockMovement:
    """Add items to a point's stock; a repeated reference returns the first movement."""
    return _change_stock(
        point=point,
        item=item,
        kind=StockMovement.Kind.RESTOCK,
        quantity=check_positive(quantity),
        reason=reason,
        by=by,
        reference=reference,
        at=at,
    )


@transaction.atomic
def write_off(
    *,
    point: ExchangePoint,
    item: Item,
    quantity: int,
    reason: str,
    by: User | None = None,
    reference: str = "",
    at: datetime | None = None,
) -> StockMovement:
    """Remove damaged or lost items from a point's stock, never below zero."""
    return _change_stock(
        point=point,
        item=item,
        kind=StockMovement.Kind.WRITE_OFF,
        quantity=-check_positive(quantity),
        reason=reason,
        by=by,
        reference=reference,
        at=at,
    )


def _change_stock(
    *,
    point: ExchangePoint,
    item: Item,
    kind: str,
    quantity: int,
    reason: str,
    by: User | None,
    reference: str,
    at: datetime | None,
) -> StockMovement:
    reason = check_text(reason, code="reason_required", message=_("A reason is required."))
    reference = reference.strip() or f"{kind}:{uuid.uuid4().hex}"
    Stock.objects.get_or_create(point=point, item=item)
    stock = cast(Stock, lock_stock(point_id=point.pk, item_id=item.pk))  # it exists: made above
    earlier = StockMovement.objects.filter(stock=stock, reference=reference).first()
    if earlier:
        return earlier
    if stock.quantity + quantity < 0:
        raise Refused(
            _("Only %(quantity)s left in stock."),
            code="out_of_stock",
            params={"quantity": stock.quantity},
        )
    return move_stock(
        stock=stock,
        kind=kind,
        quantity=quantity,
        reason=reason,
        reference=reference,
        by=by,
        at=at or timezone.now(),
    )
