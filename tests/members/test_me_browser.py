"""A member on a phone in WeChat's browser: logs in by mobile, sees /me/, changes the e-mail."""

import os

import pytest

from members.models import Branch, Enterprise, Member
from tests.browser.conftest import browser, phone  # noqa: F401 - shared browser fixtures
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_home_on_a_phone(live_server, phone, settings):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
    member.id_number = "330521198807150010"
    member.save()
    page = phone

    page.goto(live_server.url + "/accounts/login/?next=/me/")
    page.fill("input[name=login]", "138 1234 5678")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert page.url.endswith("/me/")
    text = page.locator("main").inner_text()
    for expected in ["王芳", "中测新图党支部", "138****5678", "330***********0010", "省千人计划"]:
        assert expected in text
    assert "2019年7月1日" in text
    assert "13812345678" not in page.content()
    if os.environ.get("MEMBERS_SCREENSHOTS"):
        page.screenshot(path=os.environ["MEMBERS_SCREENSHOTS"] + "/me.png", full_page=True)

    page.get_by_role("link", name="修改电子邮箱或手机号").click()
    page.fill("input[name=email]", "fang@example.cn")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "您的联系方式已保存。" in page.locator("main").inner_text()
    member.refresh_from_db()
    assert member.email == "fang@example.cn"
    assert page.js_errors == [], "\n".join(page.js_errors)
