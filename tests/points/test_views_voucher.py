"""Voucher pages: detail with a QR code, cancel; only the voucher's member sees them."""

import io

import pytest
import segno

from points import actions
from points.models import Account, Voucher
from tests.conftest import make_user
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(member, point, coffee):
    return actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")


def test_the_member_sees_the_code_and_qr(client, member_user, voucher):
    client.force_login(member_user)

    page = client.get(f"/points/vouchers/{voucher.code}/").content.decode()

    assert voucher.display_code in page
    assert f'src="/points/vouchers/{voucher.code}/qr.svg"' in page
    assert "年" in page and "月" in page  # dates in Chinese form


def test_the_qr_code_is_an_svg_of_the_operator_link(client, member_user, voucher):
    client.force_login(member_user)

    response = client.get(f"/points/vouchers/{voucher.code}/qr.svg")

    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<path" in svg
    expected = io.BytesIO()
    segno.make(f"http://testserver/points/operator/?code={voucher.code}", error="m").save(
        expected, kind="svg", scale=6, border=2, title=voucher.display_code, xmldecl=False
    )
    assert svg == expected.getvalue().decode()


def test_another_member_gets_404(client, voucher):
    stranger = make_user(email="stranger@example.cn")
    funded_member(50, user=stranger)
    client.force_login(stranger)

    for path in ("", "qr.svg", "cancel/"):
        url = f"/points/vouchers/{voucher.code}/{path}"
        response = client.post(url) if path == "cancel/" else client.get(url)
        assert response.status_code == 404
    assert Voucher.objects.get().status == Voucher.Status.ISSUED


def test_the_member_cancels_and_gets_the_points_back(client, member_user, member, voucher):
    client.force_login(member_user)

    response = client.post(f"/points/vouchers/{voucher.code}/cancel/", follow=True)

    assert "兑换券已取消，积分已退回。" in response.content.decode()
    assert Voucher.objects.get().status == Voucher.Status.CANCELLED
    assert Account.objects.get(member=member).balance == 100
