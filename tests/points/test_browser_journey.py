"""On a phone in WeChat's browser: a member exchanges points for a coffee, the operator
opens the voucher's QR link and hands the coffee over."""

import pytest

from points.models import Voucher
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The shared Chromium fixtures live beside the browser tests; use them here too.


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_member_redeems_a_coffee_and_the_operator_hands_it_over(
    live_server,
    phone,
    browser,
    member,
    point,
    coffee,
    operator,
):
    page = phone
    _log_in(page, live_server.url, "member@example.cn")

    page.goto(live_server.url + "/points/")
    assert page.locator("#balance").inner_text() == "100"
    with page.expect_navigation():
        page.get_by_role("button", name="兑换").first.click()
    assert page.locator("h1").inner_text() == "用 10 积分兑换咖啡？"
    assert not Voucher.objects.exists()  # asked first: nothing spent yet
    with page.expect_navigation():
        page.get_by_role("button", name="确认兑换").click()

    voucher = Voucher.objects.get()
    assert page.locator("#voucher-code").inner_text() == voucher.display_code
    qr = page.locator("img.voucher-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.js_errors == [], "\n".join(page.js_errors)

    desk = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    operator_page = desk.new_page()
    _log_in(operator_page, live_server.url, "operator@example.cn")
    operator_page.goto(f"{live_server.url}/points/operator/?code={voucher.code}")
    assert voucher.display_code in operator_page.locator("#looked-up").inner_text()
    with operator_page.expect_navigation():
        operator_page.get_by_role("button", name="核销并发放").click()
    assert "请发放：咖啡" in operator_page.locator(".messages").inner_text()
    desk.close()

    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.USED
