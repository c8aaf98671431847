"""What deqing_hub reads (home figures, the ranking's contest table) and the list's query budget."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from services.projects import actions, queries
from services.projects.models import Rating
from tests.projects.conftest import deliver, login

pytestmark = pytest.mark.django_db


def test_home_figures_count_under_way_and_completed(project, leader, secretary):
    assert queries.project_figures() == {"under_way": 0, "completed": 0}
    deliver(project, leader, secretary)
    assert queries.project_figures() == {"under_way": 1, "completed": 0}
    actions.complete_project(project=project, by=secretary)
    assert queries.project_figures() == {"under_way": 0, "completed": 1}


def test_the_contest_ranks_commended_first_then_by_stars(
    project, leader, teammate, secretary, centre, rater, branch
):
    deliver(project, leader, secretary)
    Rating.objects.create(project=project, user=rater, score=3, reason="一般。")
    second = actions.set_project(
        title="企业地图小程序",
        goal="目标",
        outcome="成果",
        deadline=project.deadline,
        branch=branch,
        by=secretary,
    )
    deliver(second, teammate, secretary)
    Rating.objects.create(project=second, user=rater, score=5, reason="好用。")
    assert [r["title"] for r in queries.project_contest()] == [second.title, project.title]

    actions.complete_project(project=project, by=secretary)
    actions.commend_project(project=project, by=centre, citation="优秀。")

    rows = queries.project_contest()
    assert [r["title"] for r in rows] == [project.title, second.title]
    assert rows[0]["leader"] == "叶冬梅"
    assert "20" in queries.contest_rule()


def test_the_list_page_keeps_its_query_budget(
    project, leader, secretary, django_assert_max_num_queries
):
    deliver(project, leader, secretary)
    for n in range(5):
        deliver(
            actions.set_project(
                title=f"项目{n}",
                goal="目标",
                outcome="成果",
                deadline=project.deadline,
                branch=project.branch,
                by=secretary,
            ),
            leader,
            secretary,
        )
    client = Client()
    client.force_login(login("reader@example.cn"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:project_list")).status_code == 200
