"""POST /points/redeem/: the one-time key makes a double click give one voucher."""

import pytest

from points.models import Account, Voucher

pytestmark = pytest.mark.django_db
URL = "/points/redeem/"


def _post(client, point, item, key="once"):
    return client.post(URL, {"item": item.pk, "point": point.pk, "key": key})


def test_redeeming_issues_a_voucher_and_shows_it(client, member_user, member, point, coffee):
    client.force_login(member_user)

    response = _post(client, point, coffee)

    voucher = Voucher.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/points/vouchers/{voucher.code}/"
    assert Account.objects.get(member=member).balance == 90


def test_a_double_click_gives_one_voucher(client, member_user, member, point, coffee):
    client.force_login(member_user)

    first = _post(client, point, coffee)
    second = _post(client, point, coffee)

    assert first["Location"] == second["Location"]
    assert Voucher.objects.count() == 1
    assert Account.objects.get(member=member).balance == 90


def test_too_few_points_are_refused_in_chinese_and_nothing_written(
    client, member_user, member, point, coffee
):
    coffee.price = 500
    coffee.save()
    client.force_login(member_user)

    response = _post(client, point, coffee)

    assert response["Location"] == "/points/"
    page = client.get("/points/").content.decode()
    assert "您有 100 积分，兑换咖啡需要 500 积分。" in page
    assert not Voucher.objects.exists()


def test_a_missing_key_is_refused(client, member_user, member, point, coffee):
    client.force_login(member_user)
    response = client.post(URL, {"item": coffee.pk, "point": point.pk})
    assert response.status_code == 302
    assert not Voucher.objects.exists()


def test_a_login_without_member_record_gets_404(client, public_user, point, coffee):
    client.force_login(public_user)
    assert _post(client, point, coffee).status_code == 404


def test_only_get_and_post_are_allowed(client, member_user, member):
    client.force_login(member_user)
    assert client.put(URL).status_code == 405
