"""Projects set from a sheet (确立项目 for the year): preview, then every row or none.

Given centre staff or a branch secretary with a filled-in xlsx, when they import it in the
admin, then each new row sets an open project of its branch (set by the importer), rows of
projects still open update them, and any bad row - another branch for a secretary, a deadline
gone, a claimed project, an unknown branch - stops the whole sheet with the row and column.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from services.projects import actions
from services.projects.models import Project

HEADERS = ["所属支部", "项目名称", "项目目标", "可衡量成果", "完成期限"]
IMPORT = reverse("admin:projects_project_import")


def xlsx(*rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def later(days: int = 60) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def preview(client, content: bytes):
    return client.post(
        IMPORT, {"format": "0", "import_file": SimpleUploadedFile("projects.xlsx", content)}
    )


def confirm(client, previewed):
    return client.post(
        reverse("admin:projects_project_process_import"),
        previewed.context["confirm_form"].initial,
    )


def test_a_secretary_sets_the_years_projects_of_their_branch(client, secretary, branch):
    client.force_login(secretary)
    sheet = xlsx(
        (branch.name, "小镇地图更新", "更新小镇企业分布图。", "覆盖全部 769 家企业。", later()),
        (branch.name, "青年读书会", "每月一次读书交流。", "全年 12 次。", later(90)),
    )
    previewed = preview(client, sheet)
    assert previewed.status_code == 200 and Project.objects.count() == 0  # a dry run
    assert confirm(client, previewed).status_code == 302

    projects = Project.objects.order_by("title")
    assert [p.title for p in projects] == ["小镇地图更新", "青年读书会"]
    assert {(p.branch, p.status, p.set_by) for p in projects} == {
        (branch, Project.Status.OPEN, secretary)
    }


def test_an_open_project_is_updated_by_its_row(client, centre, project):
    client.force_login(centre)
    sheet = xlsx((project.branch.name, project.title, "新的目标", "新的成果", later(100)))
    confirm(client, preview(client, sheet))
    project.refresh_from_db()
    assert (project.goal, project.outcome, Project.objects.count()) == ("新的目标", "新的成果", 1)
    assert project.set_by != centre  # who set it stays who set it


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("another_branch", "只能为自己负责的支部确立项目"),
        ("past", "截止日期已过"),
        ("unknown_branch", "不存在名为“没有这个支部”的支部"),
    ],
)
def test_one_bad_row_stops_the_whole_sheet(client, secretary, branch, other_branch, cell, expected):
    client.force_login(secretary)
    bad = {
        "another_branch": (other_branch.name, "越权项目", "目标", "成果", later()),
        "past": (branch.name, "过期项目", "目标", "成果", "2020-01-01"),
        "unknown_branch": ("没有这个支部", "无主项目", "目标", "成果", later()),
    }[cell]
    sheet = xlsx((branch.name, "合规项目", "目标", "成果", later()), bad)
    page = preview(client, sheet).content.decode()
    assert expected in page and "第 3 行" in page
    assert Project.objects.count() == 0


def test_a_claimed_project_cannot_be_changed_from_a_sheet(client, centre, project, leader):
    actions.claim_project(project=project, member=leader, pledge="一个半月完成。")
    client.force_login(centre)
    page = preview(client, xlsx((project.branch.name, project.title, "改", "改", later()))).content
    assert "已被认领" in page.decode()
    project.refresh_from_db()
    assert project.goal != "改"


def test_members_without_the_right_to_set_projects_cannot_import(client, rater):
    client.force_login(rater)
    assert preview(client, xlsx()).status_code in (302, 403)
