"""A county's roll imported through the staff admin in a real browser (1366x768).

Given a sheet larger than SHEET_BACKGROUND_ROWS, when staff upload it on the members' import
page, then they land on the job's page, which reloads itself (no script) until the worker's
check shows what the sheet changes; they confirm, the page follows the import until it says
it is done, and the members are on the roll. axe-core finds nothing serious on the job page.
The worker is played by the test calling the task's action between page loads.
"""

from __future__ import annotations

import re

import pytest

from members.actions import sheet_jobs
from members.models import Branch, Member
from members.sheet_jobs import SheetJob
from tests.axe import assert_accessible
from tests.browser.test_admin_roles_journey import admin_login
from tests.conftest import make_user
from tests.factories import BranchFactory
from tests.members.conftest import MEMBER_HEADERS, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _small_sheets_go_to_the_worker(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SHEET_BACKGROUND_ROWS = 5


def test_a_large_sheet_is_checked_confirmed_and_imported_in_the_background(browser, live_server):
    BranchFactory(name="中测新图党支部", kind=Branch.Kind.CENTRE)
    make_user(email="roll@example.cn", phone="13911113333", staff=True, is_superuser=True)
    rows = [["", f"李{i}", "女", f"137{i:08d}", "", "否", "中测新图党支部"] for i in range(12)]
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    admin_login(page, live_server.url, "roll@example.cn")

    page.goto(live_server.url + "/admin/members/member/import/")
    page.set_input_files(
        "input[name=import_file]",
        {"name": "全镇党员.xlsx", "mimeType": XLSX, "buffer": xlsx_bytes(MEMBER_HEADERS, rows)},
    )
    page.select_option("select[name=format]", index=1)  # xlsx, the first format offered
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    assert re.search(r"/admin/members/member/import/job/\d+/$", page.url), page.url
    assert "正在检查" in page.inner_text("#content")
    assert "共 12 行" in page.inner_text("#content")

    job = SheetJob.objects.get()
    sheet_jobs.run_sheet_job(job_id=job.pk)  # the worker checks it
    # The page reloads itself every few seconds and shows the check without a click.
    page.wait_for_selector("input[name=confirm]", timeout=15_000)
    assert "已检查，等待您确认导入" in page.inner_text("#content")
    assert Member.objects.count() == 0
    assert_accessible(page)

    with page.expect_navigation():
        page.click("input[name=confirm]")
    assert "正在导入" in page.inner_text("#content")
    sheet_jobs.run_sheet_job(job_id=job.pk)  # the worker imports it
    page.wait_for_selector("text=返回列表", timeout=15_000)
    assert "已导入" in page.inner_text("#content")
    assert Member.objects.filter(name__startswith="李").count() == 12
    assert_accessible(page)
