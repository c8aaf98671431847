"""Property test: any sequence of award / redeem / cancel / expire / hand-over keeps the books.

After every step each balance equals the sum of its entries, each stock the sum of its
movements, and none is negative; refused steps change nothing.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from points import actions
from points.models import Account, Entry, Stock, StockMovement, Voucher
from tests.conftest import make_user
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import make_member, stock_up

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.one_of(
        st.tuples(st.just("award"), st.integers(0, 2), st.integers(-5, 60), st.integers(0, 6)),
        st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 8)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("expire"), st.integers(0, 20)),
        st.tuples(st.just("hand_over"), st.integers(0, 20)),
    ),
    max_size=25,
)


def _assert_books_balance(restocked: dict[int, int]) -> None:
    for account in Account.objects.all():
        total = account.entries.aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == total >= 0
    for stock in Stock.objects.all():
        total = stock.movements.aggregate(s=Sum("quantity"))["s"] or 0
        assert stock.quantity == total >= 0
        # What is on the shelf plus what was handed out or promised is what came in.
        taken = Voucher.objects.filter(
            point=stock.point, item=stock.item, status__in=["issued", "used"]
        ).count()
        assert stock.quantity + taken == restocked[stock.pk]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_random_sequences_keep_balance_equal_to_entries_and_never_negative(steps):
    with transaction.atomic():
        operator = make_user(email="op@example.cn")
        point = ExchangePointFactory(operators=[operator])
        items = [ItemFactory(price=10), ItemFactory(price=25)]
        for item in items:
            stock_up(point, item, 3)
        restocked = {s.pk: 3 for s in Stock.objects.all()}
        staff = make_user(email="boss@example.cn", staff=True, is_superuser=True)
        members = [make_member() for _ in range(3)]
        now = timezone.now()

        for step in steps:
            vouchers = list(Voucher.objects.order_by("pk"))
            try:
                if step[0] == "award":
                    _kind, who, amount, source = step
                    actions.award(
                        member=members[who], amount=amount, reason="r", source=f"s{source}"
                    )
                elif step[0] == "redeem":
                    _kind, who, which, key = step
                    actions.redeem(
                        member=members[who],
                        item=items[which],
                        point=point,
                        idempotency_key=f"k{key}",
                    )
                elif vouchers:
                    voucher = vouchers[step[1] % len(vouchers)]
                    if step[0] == "cancel":
                        actions.cancel_voucher(voucher=voucher, by=staff)
                    elif step[0] == "expire":
                        actions.expire(voucher=voucher, at=now + timedelta(days=400))
                    else:
                        actions.confirm_voucher(code=voucher.code, point=point, by=operator)
            except ValidationError:
                pass
            _assert_books_balance(restocked)
        assert Entry.objects.filter(amount=0).count() == 0
        assert StockMovement.objects.filter(quantity=0).count() == 0
        transaction.set_rollback(True)
