"""On phones: the organiser's desk shows the rotating QR code (htmx under the CSP) and a
member who opens the scanned link checks in and earns the points.

The browser is driven from a child process: one test session may hold only one Playwright
sync instance, and the shared `browser` fixture lives in tests/browser/ (out of this folder's
reach), so this test never competes with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest

from points.models import Account
from services import actions
from services.models import SignUp
from tests.conftest import PASSWORD, make_user
from tests.services.conftest import make_activity, make_member, make_organisation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

DRIVER = r"""
import json, sys
from playwright.sync_api import sync_playwright

base, desk_path, check_in_path, password, chromium = sys.argv[1:6]
result = {}
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path=chromium,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )

    def phone():
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
        )
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        return page

    def log_in(page, email):
        page.goto(base + "/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")

    desk = phone()
    log_in(desk, "desk@example.cn")
    desk.goto(base + desk_path)
    desk.locator("img.checkin-qr").wait_for(timeout=10000)
    result["qr_width"] = desk.evaluate("document.querySelector('img.checkin-qr').naturalWidth")
    result["desk_errors"] = desk.errors

    member = phone()
    log_in(member, "wang@example.cn")
    member.goto(base + check_in_path)
    with member.expect_navigation():
        member.locator("main button[type=submit]").click()
    result["member_page"] = member.content()
    result["member_errors"] = member.errors
    browser.close()
print(json.dumps(result))
"""


def test_desk_qr_and_member_check_in(live_server):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI requires Debian's chromium (make browser installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    contact = make_user(email="desk@example.cn", phone="13600000021")
    organisation = make_organisation(name="晨曦社工", contact=contact)
    activity = make_activity(
        organisation=organisation, points=5, starts_in=timedelta(minutes=-10), title="青年联谊会"
    )
    member = make_member(name="王小明", user=make_user(email="wang@example.cn"))
    SignUp.objects.create(activity=activity, member=member, status=SignUp.Status.CONFIRMED)
    token = actions.checkin_token(activity=activity)

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            live_server.url,
            f"/activities/{activity.pk}/desk/",
            f"/activities/{activity.pk}/check-in/?t={token}",
            PASSWORD,
            CHROMIUM,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["qr_width"] > 0  # the htmx fragment loaded and the SVG rendered under the CSP
    assert result["desk_errors"] == [], result["desk_errors"]
    assert "签到成功，5 积分已计入您的账户" in result["member_page"]
    assert result["member_errors"] == [], result["member_errors"]
    assert Account.objects.get(member=member).balance == 5
