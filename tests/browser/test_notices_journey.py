"""A member's inbox on a phone (390x844) and a laptop (1366x768): the header's unread count,
the list, opening a notice's object, marking one and all read, and the settings page.
Each page is checked with axe-core; screenshots go to the test's tmp_path."""

from __future__ import annotations

import pytest
from django.db import transaction

from members.notices import actions
from services.notices import REQUEST_STEP
from tests.axe import assert_accessible
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[390, 1366])
def device(request, browser):
    if request.param == 390:
        yield request.getfixturevalue("phone")
        return
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def _check(page, folder, name: str) -> None:
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
    assert_accessible(page)


def test_a_member_reads_marks_and_follows_notices(live_server, device, settings, tmp_path):
    settings.PORTAL_SITE_URL = live_server.url
    user = make_user(email="li@example.cn", phone="13912345678", last_name="李", first_name="华")
    for number in (1, 2):
        with transaction.atomic():
            actions.notify(
                kind=REQUEST_STEP,
                to=[user],
                event=f"journey:{number}",
                context={
                    "number": number,
                    "step": "已派单",
                    "service": "创业咨询",
                    "status": "已派单",
                    "organisation": "团县委",
                    "note": "",
                },
                link="/services/",
            )
    page = device
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "13912345678")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()

    # The header's envelope carries the unread count on every page.
    inbox = page.locator("a.inbox-link")
    assert inbox.locator(".inbox-count").inner_text() == "2"
    with page.expect_navigation():
        inbox.click()
    assert page.locator("h1").inner_text() == "我的通知"
    assert page.locator("li.notice-unread").count() == 2
    assert page.locator("li.notice").first.inner_text().find("服务申请 #2") >= 0  # newest first
    _check(page, tmp_path, "inbox")

    with page.expect_navigation():
        page.locator("li.notice").first.get_by_role("button", name="标为已读").click()
    assert page.locator("li.notice-unread").count() == 1
    assert page.locator("a.inbox-link .inbox-count").inner_text() == "1"
    with page.expect_navigation():
        page.get_by_role("button", name="全部标为已读").click()
    assert page.locator("li.notice-unread").count() == 0
    assert page.locator("a.inbox-link .inbox-count").count() == 0

    # Each notice links to its object, with the portal's absolute address: its subject and
    # the link under its text lead to the same place.
    first = page.locator("li.notice").first
    assert first.get_by_role("link", name="点击打开").get_attribute("href") == (
        first.get_by_role("link").first.get_attribute("href")
    )
    with page.expect_navigation():
        first.get_by_role("link").first.click()
    assert page.url == live_server.url + "/services/"

    page.goto(live_server.url + "/me/notifications/settings/")
    assert page.locator("h1").inner_text() == "通知设置"
    _check(page, tmp_path, "settings")
    page.locator("fieldset", has_text="服务申请的进展").get_by_label("短信").check()
    page.select_option("#id_language", "en")  # not the header's language switcher
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "已保存" in page.locator(".messages").inner_text()
    user.refresh_from_db()
    assert user.language == "en"
    assert page.js_errors == [], "\n".join(page.js_errors)
