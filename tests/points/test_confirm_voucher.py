"""confirm_voucher: only an operator of the voucher's own point hands the item over, once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from points import actions
from points.models import Voucher
from tests.conftest import make_user
from tests.factories import ExchangePointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(member, point, coffee):
    return actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")


def _refused(expected: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        actions.confirm_voucher(**kwargs)
    assert excinfo.value.code == expected
    return excinfo.value.messages[0]


def test_the_operator_hands_over_once(voucher, point, operator):
    used = actions.confirm_voucher(code=voucher.display_code.lower(), point=point, by=operator)

    assert used.status == Voucher.Status.USED
    assert used.used_by == operator
    _refused("voucher_used", code=voucher.code, point=point, by=operator)


def test_an_operator_of_another_point_cannot_confirm(voucher, point):
    other_operator = make_user(email="other-op@example.cn")
    other_point = ExchangePointFactory(operators=[other_operator])

    message = _refused("other_point", code=voucher.code, point=other_point, by=other_operator)
    _refused("not_operator", code=voucher.code, point=point, by=other_operator)

    assert "另一个兑换点" in message
    assert Voucher.objects.get().status == Voucher.Status.ISSUED


def test_an_unknown_code_is_refused(point, operator):
    _refused("unknown_code", code="ZZZZ-ZZZZ", point=point, by=operator)


def test_an_expired_code_is_refused(voucher, point, operator):
    later = voucher.expires_at + timedelta(minutes=1)
    _refused("voucher_expired", code=voucher.code, point=point, by=operator, at=later)
    actions.expire(voucher=voucher, at=later)
    _refused("voucher_expired", code=voucher.code, point=point, by=operator, at=later)


def test_a_cancelled_code_is_refused(voucher, point, operator, member_user):
    actions.cancel_voucher(voucher=voucher, by=member_user)
    _refused("voucher_cancelled", code=voucher.code, point=point, by=operator)
