"""The staff admin: a secretary sets and comments on their branch's projects; centre staff
open the rating, complete and commend through the actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from points.models import Entry
from services.projects import actions
from services.projects.models import LeaderComment, Project
from tests.projects.conftest import deliver

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _project_form(branch) -> dict:
    return {
        "title": "园区共享充电桩",
        "goal": "为园区职工建设充电桩。",
        "outcome": "建成20个充电桩。",
        "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "branch": branch.pk,
        **{
            f"{prefix}-{key}": value
            for prefix in ("team", "reports", "comments")
            for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }


def test_a_secretary_sets_a_project_for_their_branch(secretary, branch, other_branch):
    client = _client(secretary)
    url = reverse("admin:projects_project_add")

    refused = client.post(url, _project_form(other_branch))
    assert refused.status_code == 200  # the other branch is not a choice
    assert not Project.objects.exists()

    response = client.post(url, _project_form(branch))
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get()
    assert (project.branch, project.set_by, project.status) == (branch, secretary, "open")


def test_a_secretary_comments_through_the_admin(secretary, project, leader):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")

    response = _client(secretary).post(
        reverse("admin:projects_leadercomment_add"), {"project": project.pk, "text": "加油。"}
    )

    assert response.status_code == 302
    comment = LeaderComment.objects.get()
    assert (comment.author, comment.text) == (secretary, "加油。")


def test_centre_staff_complete_and_commend_from_the_admin(centre, secretary, project, leader):
    deliver(project, leader, secretary)
    client = _client(centre)
    changelist = reverse("admin:projects_project_changelist")

    client.post(changelist, {"action": "complete", "_selected_action": [project.pk]})
    assert Project.objects.get(pk=project.pk).status == "completed"
    client.post(
        reverse("admin:projects_project_commend", args=[project.pk]), {"citation": "群众满意。"}
    )

    project.refresh_from_db()
    assert (project.status, project.citation) == ("commended", "群众满意。")
    assert Entry.objects.count() == 2


def test_a_secretary_cannot_commend(secretary, project, leader):
    deliver(project, leader, secretary)
    actions.complete_project(project=project, by=secretary)

    response = _client(secretary).post(
        reverse("admin:projects_project_commend", args=[project.pk]), {"citation": "很好。"}
    )

    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == "completed"


def test_the_open_rating_action(secretary, project, leader):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")
    actions.report_progress(project=project, by=leader.user, text="完成。")

    _client(secretary).post(
        reverse("admin:projects_project_changelist"),
        {"action": "open_rating", "_selected_action": [project.pk]},
    )

    project.refresh_from_db()
    assert project.status == "rating"
    assert project.rating_closes_at > timezone.now() + dt.timedelta(days=13)


def test_a_claimed_project_is_no_longer_edited(secretary, project, leader):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")
    url = reverse("admin:projects_project_change", args=[project.pk])

    page = _client(secretary).get(url).content.decode()

    assert 'name="title"' not in page
    assert 'name="deadline"' not in page
