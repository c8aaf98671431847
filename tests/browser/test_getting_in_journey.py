"""How a member gets in, on a phone (390x844) and a laptop (1366x768): the invitation link,
then a login by SMS code; a sign-up with a number on the roll.

Texts are read from the file SMS backend, as a member reads them on the phone. Each page is
checked with axe-core; screenshots go to the test's tmp_path.
"""

from __future__ import annotations

import re

import pytest

from members import actions
from tests.axe import assert_accessible
from tests.factories import BranchFactory, MemberFactory
from tests.members.test_login_by_code import sent_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long new password 2026"


@pytest.fixture(params=[390, 1366])
def device(request, browser):
    """The member's phone (WeChat's browser), or a laptop."""
    if request.param == 390:
        yield request.getfixturevalue("phone")
        return
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def _shot(page, folder, name: str) -> None:
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
    assert_accessible(page)


def test_invited_member_opens_the_link_then_logs_in_by_sms_code(
    live_server, device, settings, tmp_path, staff
):
    outbox = tmp_path / "sms"
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = outbox
    settings.PORTAL_SITE_URL = live_server.url
    member = MemberFactory(name="李华", email="", mobile="13911112222", branch=BranchFactory())
    actions.invite_member(member=member, by=staff)
    [invitation] = outbox.glob("*.txt")
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", invitation.read_text()).group(0)
    page = device

    page.goto(link)
    assert page.locator("h1").inner_text() == "开通账号"
    _shot(page, tmp_path, "open-account")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="设置密码并登录").click()
    assert page.url == live_server.url + "/me/"
    _shot(page, tmp_path, "me-after-invitation")

    # Logged out, the member comes back with the mobile and a code sent by SMS.
    page.context.clear_cookies()
    invitation.unlink()
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_text("党员账号由党群服务中心邀请开通").is_visible()
    _shot(page, tmp_path, "login")
    page.get_by_role("link", name="用短信验证码登录").click()
    page.wait_for_load_state("load")
    _shot(page, tmp_path, "request-code")
    page.fill("input[name=phone]", "139 1111 2222")
    with page.expect_navigation():
        page.get_by_role("button", name="发送验证码").click()
    assert page.get_by_text("验证码已发送至").first.is_visible()
    [code] = sent_codes(outbox)
    _shot(page, tmp_path, "confirm-code")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.url == live_server.url + "/me/"
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_a_member_on_the_roll_signs_up_with_the_mobile_and_is_linked(
    live_server, device, settings, tmp_path
):
    outbox = tmp_path / "sms"
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = outbox
    member = MemberFactory(name="陈静", email="", mobile="13966667777", branch=BranchFactory())
    page = device

    page.goto(live_server.url + "/accounts/signup/")
    _shot(page, tmp_path, "signup")
    page.fill("input[name=phone]", "13966667777")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.url == live_server.url + "/accounts/phone/verify/"
    _shot(page, tmp_path, "verify-phone")
    member.refresh_from_db()
    assert member.user is None  # a typed number links nothing
    [code] = sent_codes(outbox)
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.url == live_server.url + "/me/"
    member.refresh_from_db()
    assert member.user is not None and member.user.phone == "13966667777"
    assert page.js_errors == [], "\n".join(page.js_errors)
