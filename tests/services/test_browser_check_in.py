"""On phones: the organiser's desk shows the rotating QR code (htmx under the CSP) and a
member who opens the scanned link checks in and earns the points."""

from __future__ import annotations

from datetime import timedelta

import pytest

from points.models import Account
from services import actions
from services.models import SignUp
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.conftest import PASSWORD, make_user
from tests.services.conftest import make_activity, make_member, make_organisation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def test_desk_qr_and_member_check_in(live_server, browser, phone):  # noqa: F811
    contact = make_user(email="desk@example.cn", phone="13600000021")
    organisation = make_organisation(name="晨曦社工", contact=contact)
    activity = make_activity(
        organisation=organisation, points=5, starts_in=timedelta(minutes=-10), title="青年联谊会"
    )
    member = make_member(name="王小明", user=make_user(email="wang@example.cn"))
    SignUp.objects.create(activity=activity, member=member, status=SignUp.Status.CONFIRMED)

    # The organiser's desk: the QR fragment arrives through htmx and renders as an image.
    _log_in(phone, live_server.url, "desk@example.cn")
    phone.goto(f"{live_server.url}/activities/{activity.pk}/desk/")
    qr = phone.locator("img.checkin-qr")
    qr.wait_for(timeout=10_000)
    assert phone.evaluate("document.querySelector('img.checkin-qr').naturalWidth") > 0
    assert phone.js_errors == [], "\n".join(phone.js_errors)

    # The member opens the scanned link in another phone and confirms.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    member_page = context.new_page()
    _log_in(member_page, live_server.url, "wang@example.cn")
    token = actions.checkin_token(activity=activity)
    member_page.goto(f"{live_server.url}/activities/{activity.pk}/check-in/?t={token}")
    with member_page.expect_navigation():
        member_page.locator("main button[type=submit]").click()
    assert "签到成功，5 积分已计入您的账户" in member_page.content()
    context.close()
    assert Account.objects.get(member=member).balance == 5
