"""Browser journeys: a member on a phone in WeChat's browser, staff revealing data in the admin.

Each journey drives Debian's Chromium through Playwright in a thread of its own: the suite's
shared session browser (tests/browser) keeps an event loop in the main thread, and a second
sync Playwright may not start there. Database checks stay in the test's own thread.
"""

import os
import threading

import pytest

from members.models import Branch, Enterprise, Member, PersonalDataReveal
from tests.browser.conftest import CHROMIUM, WECHAT_ANDROID_UA
from tests.conftest import PASSWORD, make_user
from tests.factories import BranchFactory, MemberFactory
from tests.members.conftest import ID_NUMBERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser(steps, **context_options):
    """Run `steps(page)` in a fresh Chromium page on its own thread; return its result."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI requires Debian's chromium (make browser installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    outcome: dict = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
                )
                try:
                    page = browser.new_context(**context_options).new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda exc: errors.append(str(exc)))
                    outcome["value"] = steps(page)
                    outcome["js_errors"] = errors
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    assert outcome.get("js_errors") == [], outcome.get("js_errors")
    return outcome["value"]


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "user_agent": WECHAT_ANDROID_UA,
    "locale": "zh-CN",
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_member_logs_in_by_mobile_sees_masked_home_and_changes_email(live_server):
    user = make_user(email="wang@example.cn", phone="13812345678", last_name="王", first_name="芳")
    enterprise = Enterprise.objects.create(
        name="德清中测新图地理信息有限公司", credit_code="91350100M000100Y43"
    )
    branch = Branch.objects.create(name="中测新图党支部", kind=Branch.Kind.STANDALONE)
    branch.enterprises.add(enterprise)
    member = Member(
        name="王芳",
        gender=Member.Gender.FEMALE,
        mobile="13812345678",
        email="wang@example.cn",
        branch=branch,
        employer=enterprise,
        user=user,
        joined_on="2019-07-01",
        id_number_consent=True,
        talent_programme=Member.TalentProgramme.PROVINCIAL,
        talent_origin=Member.TalentOrigin.RECRUITED,
    )
    member.id_number = ID_NUMBERS[1]
    member.save()

    def steps(page):
        page.goto(live_server.url + "/accounts/login/?next=/me/")
        page.fill("input[name=login]", "138 1234 5678")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        seen = {"url": page.url, "text": page.locator("main").inner_text(), "html": page.content()}
        if os.environ.get("MEMBERS_SCREENSHOTS"):
            page.screenshot(path=os.environ["MEMBERS_SCREENSHOTS"] + "/me.png", full_page=True)
        page.get_by_role("link", name="修改电子邮箱或手机号").click()
        page.fill("input[name=email]", "fang@example.cn")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="保存").click()
        seen["after"] = page.locator("main").inner_text()
        return seen

    seen = in_browser(steps, **PHONE)
    assert seen["url"].endswith("/me/")
    for expected in ["王芳", "中测新图党支部", "138****5678", "330***********0010", "省千人计划"]:
        assert expected in seen["text"]
    assert "2019年7月1日" in seen["text"]
    assert "13812345678" not in seen["html"] and ID_NUMBERS[1] not in seen["html"]
    assert "您的联系方式已保存。" in seen["after"]
    member.refresh_from_db()
    assert member.email == "fang@example.cn"


def test_staff_reveal_full_data_with_the_button(live_server):
    make_user(email="boss@example.cn", staff=True, is_superuser=True)
    person = MemberFactory(
        name="任丽丽", mobile="18110783417", branch=BranchFactory(), id_number_consent=True
    )
    person.id_number = ID_NUMBERS[1]
    person.save()

    def steps(page):
        page.goto(live_server.url + "/admin/login/")
        page.fill("input[name=username]", "boss@example.cn")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")
        page.goto(live_server.url + f"/admin/members/member/{person.pk}/change/")
        before = page.content()
        with page.expect_navigation():
            page.click("button[form=reveal-form]")
        return before, page.locator("#content").inner_text()

    before, revealed = in_browser(steps, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    assert "181****3417" in before and "18110783417" not in before
    assert "18110783417" in revealed and ID_NUMBERS[1] in revealed
    assert PersonalDataReveal.objects.filter(member=person).count() == 1
