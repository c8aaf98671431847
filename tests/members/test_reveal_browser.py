"""Staff with the reveal permission press the button on a member's page and see full data."""

import pytest

from members.models import PersonalDataReveal
from tests.browser.conftest import browser  # noqa: F401 - shared browser fixture
from tests.conftest import PASSWORD, make_user
from tests.members.conftest import ID_NUMBERS, BranchFactory, MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reveal_button_in_the_admin(live_server, browser, settings):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user(email="boss@example.cn", staff=True, is_superuser=True)
    person = MemberFactory(
        name="任丽丽", mobile="18110783417", branch=BranchFactory(), id_number_consent=True
    )
    person.id_number = ID_NUMBERS[1]
    person.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "boss@example.cn")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.goto(live_server.url + f"/admin/members/member/{person.pk}/change/")
    assert "181****3417" in page.content() and "18110783417" not in page.content()
    with page.expect_navigation():
        page.click("button[form=reveal-form]")
    text = page.locator("#content").inner_text()
    assert "18110783417" in text and ID_NUMBERS[1] in text
    assert PersonalDataReveal.objects.filter(member=person).count() == 1
    context.close()
