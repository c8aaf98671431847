"""A member claims a project with a small team of their branch, from the project's page.

Given an open project, when a member claims it and ticks branch mates, then they lead a team
with those members (each earns the delivery points later); a member of another branch or too
many names are refused with a clear message and the project stays open.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from services.projects.models import Project
from tests.projects.conftest import member_with_login

pytestmark = pytest.mark.django_db


def _claim(user, project, **data):
    client = Client()
    client.force_login(user)
    return client, client.post(
        reverse("projects:project_claim", args=[project.pk]), {"pledge": "按期上线。", **data}
    )


def test_the_claim_form_lists_branch_mates_only(project, leader, teammate, other_branch):
    outsider = member_with_login("王强", other_branch, "wang@example.cn")
    client = Client()
    client.force_login(leader.user)
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "团队成员（可选）" in page and teammate.name in page
    assert outsider.name not in page and f'value="{leader.pk}"' not in page


def test_a_member_claims_with_a_teammate(project, leader, teammate):
    _client, response = _claim(leader.user, project, team=[teammate.pk])
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.CLAIMED
    team = {(t.member, t.is_leader) for t in project.team.all()}
    assert team == {(leader, True), (teammate, False)}


def test_a_member_of_another_branch_cannot_be_named(project, leader, teammate, other_branch):
    outsider = member_with_login("王强", other_branch, "wang@example.cn")
    client, response = _claim(leader.user, project, team=[outsider.pk])
    page = client.get(response["Location"]).content.decode()
    assert "请从本支部党员中选择团队成员" in page
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN and not project.team.exists()


def test_a_team_has_at_most_five(project, leader, branch):
    mates = [member_with_login(f"队员{i}", branch, f"mate{i}@example.cn") for i in range(5)]
    client, response = _claim(leader.user, project, team=[m.pk for m in mates])
    page = client.get(response["Location"]).content.decode()
    assert "一个团队最多 5 人" in page
    project.refresh_from_db()
    assert project.status == Project.Status.OPEN
