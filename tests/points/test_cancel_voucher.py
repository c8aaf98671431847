"""cancel_voucher: the member (or staff) cancels an uncollected voucher; points and item return."""

import pytest
from django.core.exceptions import ValidationError

from points import actions
from points.models import Account, Entry, Stock, StockMovement, Voucher
from tests.conftest import make_user
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(member, point, coffee):
    return actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")


def test_cancelling_returns_points_and_stock(voucher, member_user, member, coffee):
    cancelled = actions.cancel_voucher(voucher=voucher, by=member_user)

    assert cancelled.status == Voucher.Status.CANCELLED
    assert cancelled.closed_at is not None
    assert Account.objects.get(member=member).balance == 100
    assert Stock.objects.get(item=coffee).quantity == 50
    refund = Entry.objects.get(kind=Entry.Kind.REFUND)
    assert (refund.amount, refund.voucher) == (10, voucher)
    assert StockMovement.objects.get(kind=StockMovement.Kind.RETURN).quantity == 1


def test_cancelling_twice_gives_back_once(voucher, member_user, member):
    actions.cancel_voucher(voucher=voucher, by=member_user)
    actions.cancel_voucher(voucher=voucher, by=member_user)

    assert Account.objects.get(member=member).balance == 100
    assert Entry.objects.filter(kind=Entry.Kind.REFUND).count() == 1


def test_another_member_cannot_cancel(voucher):
    stranger = make_user(email="x@example.cn")
    funded_member(0, user=stranger)

    with pytest.raises(ValidationError) as excinfo:
        actions.cancel_voucher(voucher=voucher, by=stranger)

    assert excinfo.value.code == "not_owner"
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_staff_can_cancel_for_a_member(voucher, staff, member):
    actions.cancel_voucher(voucher=voucher, by=staff)
    assert Account.objects.get(member=member).balance == 100


def test_a_collected_voucher_cannot_be_cancelled(voucher, member_user, operator, point, member):
    actions.confirm_voucher(code=voucher.code, point=point, by=operator)

    with pytest.raises(ValidationError) as excinfo:
        actions.cancel_voucher(voucher=voucher, by=member_user)

    assert excinfo.value.code == "voucher_used"
    assert Account.objects.get(member=member).balance == 90
    assert not Entry.objects.filter(kind=Entry.Kind.REFUND).exists()
