"""Issue #9's roles in a real browser: the staff admin as a branch secretary, an auditor and
an account with no role sees it (login page typed in, pages in Chinese, no console errors)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from deqing_hub.roles import AUDITOR, BRANCH_SECRETARY, setup_roles
from members.audit import AuditEvent
from members.models import Branch, Member
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Kind = AuditEvent.Kind


@pytest.fixture
def desk(browser):
    """A fresh desktop page (its own context: its own cookies) per persona, in Chinese."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # A CSP violation is reported on the console as an error, so it lands here too. The
        # 404 page is asked for on purpose: the browser's "failed to load resource" for it is
        # the expected status, not a page error.
        page.on(
            "console",
            lambda msg: (
                errors.append(msg.text)
                if msg.type == "error" and "status of 404" not in msg.text
                else None
            ),
        )
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def admin_login(page, base_url: str, login: str) -> None:
    page.goto(base_url + "/admin/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    assert page.url == base_url + "/admin/", page.content()
    assert page.locator("#site-name").inner_text() == "德清地理信息小镇党群服务中心"


@pytest.fixture
def world(db):
    setup_roles()
    secretary = make_user(
        email="sec@example.cn", phone="13911112222", staff=True, last_name="赵", first_name="书记"
    )
    secretary.groups.add(Group.objects.get(name=BRANCH_SECRETARY.name))
    auditor = make_user(
        email="audit@example.cn", phone="13933334444", staff=True, last_name="钱", first_name="审"
    )
    auditor.groups.add(Group.objects.get(name=AUDITOR.name))
    nobody = make_user(email="none@example.cn", phone="13955556666", staff=True)
    branch_a = Branch.objects.create(
        name="中测新图党支部", kind=Branch.Kind.STANDALONE, secretary=secretary
    )
    branch_b = Branch.objects.create(name="党群服务中心党支部", kind=Branch.Kind.CENTRE)
    own = Member.objects.create(
        name="王小明", gender=Member.Gender.MALE, mobile="13912345678", branch=branch_a
    )
    other = Member.objects.create(
        name="李四海", gender=Member.Gender.MALE, mobile="13887654321", branch=branch_b
    )
    return {
        "secretary": secretary,
        "auditor": auditor,
        "nobody": nobody,
        "own": own,
        "other": other,
    }


def test_secretary_auditor_and_roleless_staff_in_the_admin(live_server, desk, world):
    base = live_server.url
    own, other = world["own"], world["other"]

    # --- The branch secretary: own branch only, mobile masked, an edit, a refused id ----
    page = desk()
    admin_login(page, base, "sec@example.cn")
    assert page.locator("#content h1").inner_text() == "工作台"
    index = page.locator("#content-main").inner_text()
    assert "审计日志" not in index, index
    members_link = page.locator("#content-main").get_by_role("link", name="党员", exact=True)
    with page.expect_navigation():
        members_link.click()
    page.wait_for_selector("#result_list")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "王小明" in row and "139****5678" in row and "13912345678" not in row
    assert "李四海" not in page.locator("#result_list").inner_text()

    with page.expect_navigation():
        page.locator("#result_list").get_by_role("link", name="王小明").click()
    page.fill("input[name=email]", "xiaoming@example.cn")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    success = page.locator(".messagelist .success")
    assert success.count() == 1
    assert success.inner_text() == "成功修改了 党员“王小明”。"
    own.refresh_from_db()
    assert own.email == "xiaoming@example.cn"

    response = page.goto(f"{base}/admin/members/member/{other.pk}/change/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    refusal = AuditEvent.objects.get(kind=Kind.PERMISSION_DENIED)
    assert (refusal.user, refusal.object_id, refusal.success) == (
        world["secretary"],
        str(other.pk),
        False,
    )
    assert page.js_errors == [], "\n".join(page.js_errors)

    # --- The auditor: the trail with the change and the refusal, read-only, zoned time ---
    page = desk()
    admin_login(page, base, "audit@example.cn")
    trail_link = page.locator("#content-main").get_by_role("link", name="审计日志", exact=True)
    with page.expect_navigation():
        trail_link.click()
    page.wait_for_selector("#result_list")
    refused_row = page.locator("#result_list tbody tr", has_text="拒绝访问")
    assert refused_row.count() == 1
    assert "赵*记" in refused_row.inner_text() and "李*海" in refused_row.inner_text()
    changed_row = page.locator("#result_list tbody tr", has_text="后台数据变更").filter(
        has_text="王*明"
    )
    assert changed_row.count() == 1 and "赵*记" in changed_row.inner_text()
    change = AuditEvent.objects.get(
        kind=Kind.ADMIN_CHANGE, content_type__model="member", object_id=str(own.pk)
    )
    assert change.user == world["secretary"]
    assert page.goto(f"{base}/admin/members/auditevent/{change.pk}/change/").status == 200
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("a.deletelink").count() == 0
    assert page.locator(".submit-row a.closelink").inner_text() == "关闭"
    record = page.locator("#content").inner_text()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CST \(\+0800\)", record), record
    assert "赵*记" in record and "x***@example.cn" in record
    assert "xiaoming@example.cn" not in record
    assert page.js_errors == [], "\n".join(page.js_errors)

    # --- Staff with no role: the admin index, empty, not an error page ---
    page = desk()
    admin_login(page, base, "none@example.cn")
    assert page.locator("#content h1").inner_text() == "工作台"
    assert page.locator("#content-main").inner_text().strip() == "你没有查看或编辑的权限。"
    assert page.locator("#content-main table").count() == 0
    assert page.js_errors == [], "\n".join(page.js_errors)


def test_staff_log_in_to_the_admin_by_mobile(live_server, desk, world):
    """Typed as people type it on a phone: spaces and a country code (members.backends)."""
    page = desk()
    admin_login(page, live_server.url, "+86 139 1111 2222")
