"""A member with a history opens /me/ on a phone and on a laptop, sees every block, and redeems
a coffee through the confirmation page. Each page: axe-core clean, nothing wider than the
screen. Screenshots go to $ME_SCREENSHOTS (or the test's tmp folder)."""

import os

import pytest

from points.models import Voucher
from tests.axe import assert_accessible
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Elements whose right edge is past the viewport (a phone would scroll sideways or cut them).
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > innerWidth + 1;
  })
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)"""


def _check(page, name: str, folder) -> None:
    assert page.evaluate(TOO_WIDE) == [], f"{name}: wider than the screen"
    assert_accessible(page)
    page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def screen(request, browser):
    """A page of the asked size: the WeChat phone of tests/conftest.py at 390 px, a plain
    Chinese-language window otherwise."""
    width, height = request.param
    if width == 390:
        yield request.getfixturevalue("phone")
        return
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("screen", [(360, 740), (390, 844), (1366, 768)], indirect=True)
def test_member_home_then_redeem_with_confirmation(live_server, screen, history, tmp_path):
    folder = os.environ.get("ME_SCREENSHOTS", str(tmp_path))
    page = screen
    width = page.viewport_size["width"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    page.goto(base + "/accounts/login/?next=/me/")
    page.fill("input[name=login]", "member@example.cn")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert page.url == base + "/me/"

    for block in ["#points-block", "#services-panel", "#wishes-block", "#rota-block"]:
        assert page.locator(block).is_visible(), block
        # Never a squeezed column: each block takes at least most of a phone's width.
        assert page.locator(block).bounding_box()["width"] >= min(width - 60, 300), block
    assert page.locator("#me-balance").inner_text() == "90"
    assert page.locator(".me-vouchers img").evaluate("img => img.complete && img.naturalWidth > 0")
    _check(page, f"me-{width}", folder)

    with page.expect_navigation():
        page.get_by_role("link", name="查看全部积分和兑换券").click()
    with page.expect_navigation():
        page.get_by_role("button", name="兑换").first.click()
    assert page.locator("h1").inner_text() == "用 10 积分兑换咖啡？"
    assert "80" in page.locator(".step-confirm-details").inner_text()  # balance after
    assert Voucher.objects.count() == 1  # asked first: nothing spent yet
    _check(page, f"redeem-confirm-{width}", folder)
    with page.expect_navigation():
        page.get_by_role("button", name="确认兑换").click()
    assert Voucher.objects.count() == 2
    _check(page, f"voucher-{width}", folder)

    page.goto(base + "/me/")
    assert page.locator("#me-balance").inner_text() == "80"
    assert page.locator(".me-vouchers li").count() == 2
    assert errors == [], "\n".join(errors)
