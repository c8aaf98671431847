"""The ledger is append-only and the database refuses what must never be true."""

import pytest
from django.db import IntegrityError, connection, transaction

from members.refusals import Refused
from points import actions
from points.models import Account, AppendOnlyError, Entry, Stock, StockMovement
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted():
    member = funded_member(10)
    entry = Entry.objects.get()

    entry.amount = 1000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(amount=1000)
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    assert Account.objects.get(member=member).balance == 10


def test_stock_movements_cannot_be_changed(point, coffee):
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.update(quantity=5)


def _violates(name: str, sql: str, params) -> None:
    with (
        pytest.raises(IntegrityError) as excinfo,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert name in str(excinfo.value) or connection.vendor == "sqlite"


def test_the_database_refuses_a_negative_balance():
    account = funded_member(10).points_account
    _violates(
        "points_account_balance_non_negative",
        "UPDATE points_account SET balance = -1 WHERE id = %s",
        [account.pk],
    )


def test_the_database_refuses_negative_stock(point, coffee):
    stock = Stock.objects.get()
    _violates(
        "points_stock_quantity_non_negative",
        "UPDATE points_stock SET quantity = -1 WHERE id = %s",
        [stock.pk],
    )


def test_the_database_refuses_an_entry_whose_sign_contradicts_its_kind():
    member = funded_member(10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            account=member.points_account,
            kind=Entry.Kind.REDEEM,
            amount=5,
            reason="x",
            idempotency_key="bad",
            created_at=Entry.objects.get().created_at,
        )


def test_a_write_off_cannot_exceed_the_stock(point, coffee, staff):
    with pytest.raises(Refused) as refused:
        actions.write_off(point=point, item=coffee, quantity=51, reason="破损", by=staff)
    assert refused.value.code == "out_of_stock"
    actions.write_off(point=point, item=coffee, quantity=50, reason="破损", by=staff)
    assert Stock.objects.get().quantity == 0


def test_a_repeated_restock_reference_counts_once(point, coffee):
    for _ in range(2):
        actions.restock(point=point, item=coffee, quantity=5, reason="进货", reference="po-1")
    assert Stock.objects.get().quantity == 55


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE points_entry SET amount = 1000",
        "DELETE FROM points_entry",
        "UPDATE points_stockmovement SET quantity = 1000",
    ],
)
def test_postgresql_refuses_raw_changes_to_the_ledger(postgres, point, coffee, sql):
    funded_member(10)

    with (
        pytest.raises(Exception, match="points_append_only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert Entry.objects.get().amount == 10
