"""GET /points/redeem/: the confirmation before anything is spent; POST spends once."""

import re

import pytest

from points.models import Account, Voucher
from tests.points.conftest import stock_up

pytestmark = pytest.mark.django_db
URL = "/points/redeem/"


def _fields(point, item, key="k1"):
    return {"item": item.pk, "point": point.pk, "key": key}


def test_the_points_page_asks_first(client, member_user, member, point, coffee):
    client.force_login(member_user)
    page = client.get("/points/").content.decode()
    form = re.search(r'<form method="get" action="/points/redeem/">(.*?)</form>', page, re.S)
    assert form and 'name="key"' in form.group(1) and "csrfmiddlewaretoken" not in form.group(1)


def test_the_confirmation_shows_item_points_point_and_balance_after(
    client, member_user, member, point, coffee
):
    point.address = "德清县地理信息小镇"
    point.save()
    client.force_login(member_user)

    response = client.get(URL, _fields(point, coffee))

    page = response.content.decode()
    assert response.status_code == 200
    assert "用 10 积分兑换咖啡？" in page
    for text in ["咖啡", "红盟书吧兑换点 · 德清县地理信息小镇", "兑换后余额", ">90<"]:
        assert text in page
    assert 'method="post" action="/points/redeem/"' in page
    assert 'name="key" value="k1"' in page
    assert not Voucher.objects.exists()
    assert Account.objects.get(member=member).balance == 100


def test_confirming_spends_once_and_a_second_confirmation_spends_nothing(
    client, member_user, member, point, coffee
):
    client.force_login(member_user)

    first = client.post(URL, _fields(point, coffee))
    second = client.post(URL, _fields(point, coffee), follow=True)

    assert first["Location"] == second.redirect_chain[0][0]
    assert Voucher.objects.count() == 1
    assert Account.objects.get(member=member).balance == 90
    assert "这次兑换已经完成，没有重复扣除积分。" in second.content.decode()


def test_too_few_points_are_told_before_the_confirmation(
    client, member_user, member, point, coffee
):
    coffee.price = 500
    coffee.save()
    client.force_login(member_user)

    response = client.get(URL, _fields(point, coffee), follow=True)

    assert response.redirect_chain[-1][0] == "/points/"
    assert "您有 100 积分，兑换咖啡需要 500 积分。" in response.content.decode()
    assert not Voucher.objects.exists()


def test_no_stock_is_told_before_the_confirmation(client, member_user, member, point):
    from tests.factories import ItemFactory

    tea = ItemFactory(name="茶叶", price=10)
    stock_up(point, tea, 1)
    client.force_login(member_user)
    client.post(URL, _fields(point, tea, key="first"))  # the last one goes

    response = client.get(URL, _fields(point, tea, key="second"), follow=True)

    assert "红盟书吧兑换点的茶叶已兑完。" in response.content.decode()
    assert Voucher.objects.count() == 1


def test_a_confirmation_without_the_key_spends_nothing(client, member_user, member, point, coffee):
    client.force_login(member_user)
    response = client.get(URL, {"item": coffee.pk, "point": point.pk}, follow=True)
    assert response.redirect_chain[-1][0] == "/points/"
    assert not Voucher.objects.exists()
