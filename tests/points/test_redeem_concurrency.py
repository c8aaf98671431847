"""Concurrent redemptions on PostgreSQL: real threads, real row locks, no double spending."""

import pytest

from points import actions
from points.models import Account, Entry, Stock, StockMovement, Voucher
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import funded_member, stock_up

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_twenty_members_racing_for_five_items_get_exactly_five_vouchers(postgres):
    point = ExchangePointFactory()
    ticket = ItemFactory(price=50)
    stock_up(point, ticket, 5)
    members = [funded_member(50) for _ in range(20)]

    race = run_together(
        *[
            lambda m=m: actions.redeem(member=m, item=ticket, point=point, idempotency_key="go")
            for m in members
        ]
    )

    assert len(race.values) == 5
    assert race.refusals() == ["out_of_stock"] * 15
    assert Stock.objects.get(item=ticket).quantity == 0
    assert Voucher.objects.count() == 5
    assert StockMovement.objects.filter(kind="redemption").count() == 5
    assert sorted(Account.objects.values_list("balance", flat=True)) == [0] * 5 + [50] * 15


def test_one_member_who_can_afford_three_gets_exactly_three_of_twenty(postgres):
    point = ExchangePointFactory()
    coffee = ItemFactory(price=10)
    stock_up(point, coffee, 100)
    member = funded_member(30)

    race = run_together(
        *[
            lambda i=i: actions.redeem(
                member=member, item=coffee, point=point, idempotency_key=f"click-{i}"
            )
            for i in range(20)
        ]
    )

    assert len(race.values) == 3
    assert race.refusals() == ["insufficient_points"] * 17
    assert Account.objects.get(member=member).balance == 0
    assert Stock.objects.get(item=coffee).quantity == 97
    assert Entry.objects.filter(kind=Entry.Kind.REDEEM).count() == 3


def test_the_same_key_from_two_threads_gives_one_voucher(postgres):
    point = ExchangePointFactory()
    coffee = ItemFactory(price=10)
    stock_up(point, coffee, 10)
    member = funded_member(100)

    race = run_together(
        *[
            lambda: actions.redeem(
                member=member, item=coffee, point=point, idempotency_key="double-click"
            )
        ]
        * 2
    )

    assert race.refusals() == []
    vouchers = race.values
    assert len(vouchers) == 2
    assert vouchers[0].pk == vouchers[1].pk
    assert Voucher.objects.count() == 1
    assert Account.objects.get(member=member).balance == 90
    assert Stock.objects.get(item=coffee).quantity == 9


def test_cancel_and_hand_over_racing_on_one_voucher_let_exactly_one_win(postgres, operator):
    point = ExchangePointFactory(operators=[operator])
    coffee = ItemFactory(price=10)
    stock_up(point, coffee, 10)
    member = funded_member(10)
    voucher = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")
    member.user = make_user(email="owner@example.cn")
    member.save()

    race = run_together(
        lambda: actions.cancel_voucher(voucher=Voucher.objects.get(pk=voucher.pk), by=member.user),
        lambda: actions.confirm_voucher(code=voucher.code, point=point, by=operator),
    )

    assert len(race.values) == 1 and len(race.refusals()) == 1
    voucher.refresh_from_db()
    balance = Account.objects.get(member=member).balance
    quantity = Stock.objects.get(item=coffee).quantity
    if voucher.status == Voucher.Status.USED:
        assert (balance, quantity) == (0, 9)
    else:
        assert voucher.status == Voucher.Status.CANCELLED
        assert (balance, quantity) == (10, 10)
