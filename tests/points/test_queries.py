"""Read queries used by the dashboard and the ranking."""

from datetime import datetime

import pytest
from django.utils import timezone

from members.periods import month_bounds, year_bounds
from points import actions, queries
from points.models import Account, Item
from tests.factories import ItemFactory
from tests.points.conftest import funded_member, make_member, stock_up

pytestmark = pytest.mark.django_db


def _at(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


def test_points_earned_by_member_counts_earnings_of_that_month_only(staff):
    a, b = make_member(), make_member()
    actions.award(member=a, amount=10, reason="r", source="1", at=_at(2026, 10, 31, 23))
    actions.award(member=a, amount=20, reason="r", source="2", at=_at(2026, 11, 1, 0))
    actions.award(member=b, amount=5, reason="r", source="3", at=_at(2026, 11, 30, 23))
    actions.adjust(member=a, amount=100, reason="补录", by=staff)

    assert queries.points_earned_by_member(*month_bounds(2026, 11)) == {a.pk: 20, b.pk: 5}
    assert queries.points_earned_by_member(*month_bounds(2026, 10)) == {a.pk: 10}
    assert queries.points_earned_by_member(*year_bounds(2026)) == {a.pk: 30, b.pk: 5}
    assert queries.points_earned_by_member(*month_bounds(2025, 12)) == {}


def test_redeemed_item_counts_exclude_cancelled_vouchers(point, coffee, staff):
    ticket = ItemFactory(name="电影票", price=50, kind=Item.Kind.CINEMA_TICKET)
    stock_up(point, ticket, 5)
    member = funded_member(200)
    actions.redeem(member=member, item=ticket, point=point, idempotency_key="1")
    actions.redeem(member=member, item=coffee, point=point, idempotency_key="2")
    cancelled = actions.redeem(member=member, item=coffee, point=point, idempotency_key="3")
    actions.cancel_voucher(voucher=cancelled, by=staff)

    assert queries.redeemed_item_counts() == {"cinema_ticket": 1, "coffee": 1, "souvenir": 0}
    assert Account.objects.get(member=member).balance == 140
    assert queries.totals() == {"earned": 200, "held": 140, "collected": 0}
