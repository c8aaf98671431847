"""The operator desk: own point's vouchers only; scan or type a code, hand the item over."""

import pytest

from members.audit import AuditEvent
from points import actions
from points.models import Voucher
from tests.conftest import make_user
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import funded_member, stock_up

pytestmark = pytest.mark.django_db
URL = "/points/operator/"


@pytest.fixture
def voucher(member, point, coffee):
    return actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")


@pytest.fixture
def other_voucher():
    other_point = ExchangePointFactory(
        name="图书馆兑换点", operators=[make_user(email="o2@example.cn")]
    )
    item = ItemFactory(name="纪念徽章", price=5)
    stock_up(other_point, item, 3)
    return actions.redeem(
        member=funded_member(10), item=item, point=other_point, idempotency_key="x"
    )


def test_only_operators_get_the_desk(client, member_user, member):
    client.force_login(member_user)
    assert client.get(URL).status_code == 404


def test_the_desk_lists_only_its_own_points_vouchers(client, operator, voucher, other_voucher):
    client.force_login(operator)

    page = client.get(URL).content.decode()

    assert voucher.display_code in page
    assert other_voucher.display_code not in page


def test_a_scanned_code_is_looked_up_and_handed_over(client, operator, voucher, point):
    client.force_login(operator)

    page = client.get(URL, {"code": voucher.code}).content.decode()
    assert 'id="looked-up"' in page
    response = client.post(URL, {"code": voucher.display_code, "point": point.pk}, follow=True)

    assert "请发放：咖啡" in response.content.decode()
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.USED
    assert voucher.used_by == operator


def test_another_points_code_is_refused_with_a_message(client, operator, point, other_voucher):
    client.force_login(operator)

    looked = client.get(URL, {"code": other_voucher.code}).content.decode()
    response = client.post(URL, {"code": other_voucher.code, "point": point.pk})

    assert 'id="looked-up"' not in looked
    assert "您管理的兑换点没有这个兑换码。" in looked
    assert response.status_code == 200
    assert "该兑换券属于另一个兑换点" in response.content.decode()
    other_voucher.refresh_from_db()
    assert other_voucher.status == Voucher.Status.ISSUED


def test_a_point_not_operated_is_404_and_recorded(client, operator, point, other_voucher):
    client.force_login(operator)
    response = client.post(URL, {"code": other_voucher.code, "point": other_voucher.point_id})
    assert response.status_code == 404
    assert Voucher.objects.get(pk=other_voucher.pk).status == Voucher.Status.ISSUED
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.object_id, event.user) == (str(other_voucher.point_id), operator)
    assert event.content_type.model == "exchangepoint"


def test_a_closed_point_of_ones_own_is_refused_without_a_record(client, operator, point, voucher):
    point.is_active = False
    point.save(update_fields=["is_active"])
    ExchangePointFactory(name="第二兑换点", operators=[operator])  # the desk stays open
    client.force_login(operator)
    response = client.post(URL, {"code": voucher.code, "point": point.pk})
    assert "您不是该兑换点的管理员。" in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ISSUED


def test_a_used_code_is_refused_the_second_time(client, operator, voucher, point):
    client.force_login(operator)
    client.post(URL, {"code": voucher.code, "point": point.pk})

    response = client.post(URL, {"code": voucher.code, "point": point.pk})

    assert "该兑换券已领取，不能重复使用。" in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_query_count_does_not_grow_with_waiting_vouchers(
    client, operator, point, coffee, django_assert_num_queries, size
):
    for _ in range(size):
        actions.redeem(member=funded_member(10), item=coffee, point=point, idempotency_key="k")
    client.force_login(operator)

    # session, user, operated points, waiting vouchers, the form's point choices;
    # then the session is saved (savepoint, update, release).
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
