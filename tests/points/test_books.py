"""book: the one way an entry or a stock movement is written with its cached total."""

import pytest
from django.db import transaction
from django.utils import timezone

from members.refusals import Refused
from points.actions.books import book
from points.locks import lock_account, lock_stock
from points.models import Account, Entry, Stock, StockMovement
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


def _entry(account: Account, amount: int) -> Entry:
    return Entry(
        account=account,
        kind=Entry.Kind.ADJUST,
        amount=amount,
        reason="更正",
        source="test",
        idempotency_key=f"test:{amount}",
        created_at=timezone.now(),
    )


def _movement(stock: Stock, quantity: int) -> StockMovement:
    return StockMovement(
        stock=stock,
        kind=StockMovement.Kind.WRITE_OFF,
        quantity=quantity,
        reason="损坏",
        reference=f"test:{quantity}",
        created_at=timezone.now(),
    )


def test_an_entry_moves_the_balance_with_it():
    member = funded_member(20)
    with transaction.atomic():
        entry = book(_entry(lock_account(member), -20))

    assert entry.pk is not None
    assert Account.objects.get(member=member).balance == 0


def test_an_entry_below_zero_is_refused_and_nothing_is_written():
    member = funded_member(20)
    with pytest.raises(Refused) as excinfo, transaction.atomic():
        book(_entry(lock_account(member), -21))

    assert excinfo.value.code == "negative_balance"
    assert excinfo.value.params == {"balance": 20}
    assert Account.objects.get(member=member).balance == 20
    assert Entry.objects.count() == 1  # the award only


def test_a_movement_moves_the_stock_and_is_refused_below_zero(point, coffee):
    """The coffee fixture has 50 in stock."""
    with transaction.atomic():
        stock = lock_stock(point_id=point.pk, item_id=coffee.pk)
        assert stock is not None
        book(_movement(stock, -49))
        with pytest.raises(Refused) as excinfo:
            book(_movement(stock, -2))

    assert (excinfo.value.code, excinfo.value.params) == ("out_of_stock", {"quantity": 1})
    assert Stock.objects.get(point=point, item=coffee).quantity == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.WRITE_OFF).count() == 1
