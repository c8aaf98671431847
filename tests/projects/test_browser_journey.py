"""On a phone in WeChat's browser: a member claims a project with a pledge, reports progress
with a photo; once rating opens, someone from the public rates it with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from services.projects import actions
from services.projects.models import Project, Rating
from tests.axe import assert_accessible
from tests.conftest import PASSWORD
from tests.photo_uploads import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_a_member_claims_reports_and_the_public_rates(
    live_server, phone, browser, project, leader, secretary, rater, tmp_path
):
    page = phone
    base = live_server.url
    _log_in(page, base, "ye@example.cn")

    # The list, by status: the project is open for claiming.
    page.goto(base + "/projects/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=project.title).click()
    assert_accessible(page)

    # Claim with a pledge.
    page.fill("textarea[name=pledge]", "一个半月完成开发并上线。")
    with page.expect_navigation():
        page.get_by_role("button", name="承诺并认领").click()
    assert "您已认领该项目" in page.locator(".messages").inner_text()
    assert "一个半月完成开发并上线。" in page.locator("blockquote").inner_text()

    # Report progress with a photo.
    photo = tmp_path / "run.jpg"
    photo.write_bytes(image_bytes(size=(400, 300)))
    page.fill("textarea[name=text]", "报名模块上线，已有800人报名。")
    page.set_input_files("input[name=photos]", str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name="提交报告").click()
    assert "已有800人报名" in page.locator(".timeline").inner_text()
    # The photo is served and decodes. It loads lazily (below the fold on a phone), so it is
    # scrolled to and waited for: read at once, it could still be on its way.
    page.locator("img.project-photo").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.project-photo')]"
        ".every(img => img.complete && img.naturalWidth > 0)",
        timeout=10_000,
    )
    assert_accessible(page)

    # The member's own projects on /me/.
    page.goto(base + "/me/")
    assert project.title in page.locator("#projects-panel").inner_text()
    assert page.js_errors == [], "\n".join(page.js_errors)

    # The branch secretary opens the public rating (the admin's action, here directly).
    actions.open_rating(
        project=Project.objects.get(pk=project.pk),
        by=secretary,
        closes_at=timezone.now() + dt.timedelta(days=7),
    )

    # Someone from the public rates it on their phone.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    public = context.new_page()
    try:
        _log_in(public, base, "public@example.cn")
        public.goto(f"{base}/projects/{project.pk}/")
        public.select_option("select[name=score]", "5")
        public.fill("textarea[name=reason]", "报名方便，成绩查询很快。")
        with public.expect_navigation():
            public.get_by_role("button", name="提交评议").click()
        assert "感谢您的评议" in public.locator(".messages").inner_text()
        assert "报名方便，成绩查询很快。" in public.locator(".ratings").inner_text()
        assert_accessible(public)
    finally:
        context.close()
    assert Rating.objects.get(project=project).score == 5
