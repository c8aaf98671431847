"""expire and the periodic task: uncollected vouchers past their date give points back once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from points import actions, tasks
from points.models import Account, Entry, Stock, Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(member, point, coffee):
    return actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")


def test_a_voucher_still_valid_is_not_expired(voucher):
    with pytest.raises(ValidationError) as excinfo:
        actions.expire(voucher=voucher)
    assert excinfo.value.code == "not_due"
    assert Voucher.objects.get().status == Voucher.Status.ISSUED


def test_expiring_returns_points_and_stock(voucher, member, coffee):
    later = voucher.expires_at + timedelta(seconds=1)

    actions.expire(voucher=voucher, at=later)

    assert Voucher.objects.get().status == Voucher.Status.EXPIRED
    assert Account.objects.get(member=member).balance == 100
    assert Stock.objects.get(item=coffee).quantity == 50
    assert Entry.objects.get(kind=Entry.Kind.EXPIRE).amount == 10


def test_the_task_run_twice_expires_once(voucher, member, time_machine):
    time_machine.move_to(voucher.expires_at + timedelta(hours=1))

    assert tasks.expire_vouchers.apply().get() == 1
    assert tasks.expire_vouchers.apply().get() == 0

    assert Account.objects.get(member=member).balance == 100
    assert Entry.objects.filter(kind=Entry.Kind.EXPIRE).count() == 1


def test_the_task_leaves_collected_and_valid_vouchers_alone(
    voucher, member, point, coffee, operator
):
    actions.confirm_voucher(code=voucher.code, point=point, by=operator)
    fresh = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k2")

    assert actions.expire_due_vouchers(at=timezone.now() + timedelta(days=1)) == 0

    assert {v.status for v in Voucher.objects.all()} == {"used", "issued"}
    assert fresh.status == Voucher.Status.ISSUED
