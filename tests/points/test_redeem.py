"""redeem: debit, take stock, issue a voucher in one transaction; refusals write nothing."""

import pytest
from django.core.exceptions import ValidationError

from points import actions
from points.actions import vouchers
from points.models import Account, Entry, Policy, Stock, StockMovement, Voucher
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import funded_member, stock_up

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("balance", flat=True)),
        list(Stock.objects.order_by("pk").values_list("quantity", flat=True)),
        Entry.objects.count(),
        StockMovement.objects.count(),
        Voucher.objects.count(),
    )


def test_redeem_debits_takes_stock_and_issues_a_voucher(point, coffee):
    member = funded_member(30)

    voucher = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k1")

    assert voucher.status == Voucher.Status.ISSUED
    assert len(voucher.code) == 8
    assert set(voucher.code) <= set(actions.CODE_ALPHABET)
    assert voucher.price == 10
    assert Account.objects.get(member=member).balance == 20
    assert Stock.objects.get(point=point, item=coffee).quantity == 49
    debit = Entry.objects.get(kind=Entry.Kind.REDEEM)
    assert (debit.amount, debit.voucher) == (-10, voucher)
    movement = StockMovement.objects.get(kind=StockMovement.Kind.REDEMPTION)
    assert (movement.quantity, movement.voucher) == (-1, voucher)


def test_the_voucher_expires_after_the_policy_days(point, coffee):
    policy = Policy.load()
    policy.voucher_valid_days = 7
    policy.save()

    voucher = actions.redeem(
        member=funded_member(10), item=coffee, point=point, idempotency_key="k"
    )

    assert (voucher.expires_at - voucher.issued_at).days == 7


def test_the_same_key_gives_the_same_voucher_and_debits_once(point, coffee):
    member = funded_member(30)

    first = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k1")
    again = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k1")

    assert again.pk == first.pk
    assert Account.objects.get(member=member).balance == 20
    assert Voucher.objects.count() == 1


def test_redeeming_more_than_the_balance_is_refused_and_nothing_written(point, coffee):
    member = funded_member(9)
    before = _snapshot()

    with pytest.raises(ValidationError) as excinfo:
        actions.redeem(member=member, item=coffee, point=point, idempotency_key="k1")

    assert excinfo.value.code == "insufficient_points"
    assert "9" in excinfo.value.messages[0]
    assert _snapshot() == before


def test_a_member_without_an_account_cannot_redeem(point, coffee):
    with pytest.raises(ValidationError) as excinfo:
        actions.redeem(member=funded_member(0), item=coffee, point=point, idempotency_key="k")
    assert excinfo.value.code == "insufficient_points"
    assert not Voucher.objects.exists()


def test_an_item_out_of_stock_at_that_point_is_refused(point, coffee):
    elsewhere = ExchangePointFactory()
    member = funded_member(50)
    before = _snapshot()

    with pytest.raises(ValidationError) as excinfo:
        actions.redeem(member=member, item=coffee, point=elsewhere, idempotency_key="k1")

    assert excinfo.value.code == "out_of_stock"
    assert _snapshot() == before


def test_the_last_item_can_be_taken_and_then_it_is_out_of_stock(point):
    ticket = ItemFactory(price=5)
    stock_up(point, ticket, 1)
    member = funded_member(20)

    actions.redeem(member=member, item=ticket, point=point, idempotency_key="a")
    with pytest.raises(ValidationError) as excinfo:
        actions.redeem(member=member, item=ticket, point=point, idempotency_key="b")

    assert excinfo.value.code == "out_of_stock"
    assert Stock.objects.get(item=ticket).quantity == 0
    assert Account.objects.get(member=member).balance == 15


def test_an_inactive_item_is_refused(point, coffee):
    coffee.is_active = False
    coffee.save()
    with pytest.raises(ValidationError) as excinfo:
        actions.redeem(member=funded_member(50), item=coffee, point=point, idempotency_key="k")
    assert excinfo.value.code == "inactive"


@pytest.mark.parametrize("key", ["", "   ", "x" * 101])
def test_a_missing_or_oversized_key_is_refused(point, coffee, key):
    with pytest.raises(ValidationError):
        actions.redeem(member=funded_member(50), item=coffee, point=point, idempotency_key=key)
    assert not Voucher.objects.exists()


def test_a_failure_after_the_debit_leaves_balance_stock_and_ledger_unchanged(
    point, coffee, monkeypatch
):
    """The stock step fails after the entry and balance were written: all of it rolls back."""
    member = funded_member(30)
    before = _snapshot()
    debited = []

    def failing_move_stock(**kwargs):
        debited.append(Account.objects.get(member=member).balance)
        raise RuntimeError("printer on fire")

    # Patched where redeem looks it up: the stock step of the two books.
    monkeypatch.setattr(vouchers, "move_stock", failing_move_stock)

    with pytest.raises(RuntimeError):
        actions.redeem(member=member, item=coffee, point=point, idempotency_key="k1")

    assert debited == [20]  # the debit had happened inside the transaction
    assert _snapshot() == before
    assert not Entry.objects.filter(kind=Entry.Kind.REDEEM).exists()
