"""/points/: balance, history, catalogue by exchange point, my vouchers."""

import pytest
from django.urls import reverse

from points import actions
from tests.factories import ItemFactory
from tests.points.conftest import stock_up

pytestmark = pytest.mark.django_db
URL = "/points/"


def test_the_url_name_is_stable():
    assert reverse("points:home") == URL


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_sees_balance_history_catalogue_and_vouchers(
    client, member_user, member, point, coffee
):
    voucher = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")
    client.force_login(member_user)

    page = client.get(URL).content.decode()

    assert '<span class="stat-value" id="balance">90</span>' in page
    assert "志愿服务" in page and "+100" in page and "-10" in page
    assert "红盟书吧兑换点" in page and "剩余 49 件" in page
    assert voucher.display_code in page and "待领取" in page
    assert 'action="/points/redeem/"' in page


def test_items_too_dear_or_out_of_stock_have_no_exchange_button(client, member_user, member, point):
    dear = ItemFactory(name="电影票", price=500)
    stock_up(point, dear, 2)
    client.force_login(member_user)

    page = client.get(URL).content.decode()

    assert "电影票" in page
    assert 'name="item"' not in page


def test_a_login_without_a_member_record_is_told_how_to_join(client, public_user, point, coffee):
    client.force_login(public_user)

    page = client.get(URL).content.decode()

    assert "尚未关联党员信息" in page
    assert "咖啡" in page
    assert 'name="item"' not in page


def test_user_text_is_escaped(client, member_user, member, point):
    stock_up(point, ItemFactory(name="<script>alert(1)</script>", price=5), 1)
    client.force_login(member_user)

    page = client.get(URL).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("size", [2, 12])
def test_the_query_count_does_not_grow_with_history(
    client, member_user, member, point, coffee, django_assert_num_queries, size
):
    for i in range(size):
        actions.award(member=member, amount=10, reason="志愿服务", source=f"act:{i}")
        actions.redeem(member=member, item=coffee, point=point, idempotency_key=f"k{i}")
        stock_up(point, ItemFactory(price=5 + i), 1)
    client.force_login(member_user)

    # session, user, member, account, history count + page, vouchers, points, stocks,
    # operator check; then the session is saved (savepoint, update, release).
    with django_assert_num_queries(13):
        response = client.get(URL)
    assert response.status_code == 200


def test_the_page_speaks_english_when_chosen(client, member_user, member, point, coffee):
    client.force_login(member_user)
    client.cookies["django_language"] = "en"

    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Volunteer points" in page and "points to spend" in page
    assert ">Exchange<" in page
