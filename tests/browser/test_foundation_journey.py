"""A member on a phone: reads the home page, switches language, logs in by mobile."""

import pytest

from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_switches_language_and_logs_in_by_mobile_on_a_phone(live_server, phone):
    make_user(email="li@example.cn", phone="13912345678", last_name="李", first_name="华")
    page = phone

    page.goto(live_server.url + "/")
    assert page.title().strip() == "德清地理信息小镇党群服务中心"
    assert page.locator("h1").inner_text() == "德清地理信息小镇党群服务中心"

    # The language select submits itself (portal.js); no inline script is needed.
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("h1").inner_text() == "Deqing GIS Town Party and Masses Service Centre"

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    page.locator("summary", has_text="菜单").click()
    page.get_by_role("link", name="党员登录").first.click()
    page.fill("input[name=login]", "139 1234 5678")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.locator("summary", has_text="菜单").click()
    assert page.get_by_role("button", name="退出登录").is_visible()
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_the_menu_is_open_on_a_desktop_screen_and_folded_on_a_phone(live_server, browser, phone):
    desktop = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        desktop.goto(live_server.url + "/")
        assert desktop.get_by_role("link", name="排行榜").first.is_visible()
        assert not desktop.locator("summary", has_text="菜单").is_visible()
    finally:
        desktop.close()
    phone.goto(live_server.url + "/")
    assert not phone.locator("nav").get_by_role("link", name="排行榜").is_visible()
    phone.locator("summary", has_text="菜单").click()
    assert phone.locator("nav").get_by_role("link", name="排行榜").is_visible()
