"""A branch secretary sets, comments on and runs their own branch's projects only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from members.refusals import Refused
from services.projects import actions
from services.projects.models import LeaderComment, Project

pytestmark = pytest.mark.django_db


def _open(branch, by) -> Project:
    return actions.set_project(
        title="园区共享充电桩",
        goal="为园区职工建设充电桩。",
        outcome="建成20个充电桩。",
        deadline=timezone.localdate() + dt.timedelta(days=60),
        branch=branch,
        by=by,
    )


def test_a_secretary_sets_projects_for_their_own_branch_only(secretary, branch, other_branch):
    assert _open(branch, secretary).branch == branch

    with pytest.raises(Refused) as refused:
        _open(other_branch, secretary)

    assert refused.value.code == "forbidden"
    assert not Project.objects.filter(branch=other_branch).exists()


def test_a_secretary_comments_on_their_own_branch_only(secretary, centre, other_branch, leader):
    project = _open(other_branch, centre)
    actions.claim_project(project=project, member=leader, pledge="按期完成。")

    with pytest.raises(Refused) as refused:
        actions.comment_on_project(project=project, by=secretary, text="加油。")

    assert refused.value.code == "forbidden"
    assert not LeaderComment.objects.exists()
    actions.comment_on_project(project=project, by=centre, text="加油。")
    assert LeaderComment.objects.count() == 1


def test_the_scoped_queryset(secretary, centre, branch, other_branch):
    own, other = _open(branch, centre), _open(other_branch, centre)

    assert list(Project.objects.visible_to(secretary)) == [own]
    assert set(Project.objects.visible_to(centre)) == {own, other}


def test_a_deadline_in_the_past_is_refused(secretary, branch):
    with pytest.raises(Refused) as refused:
        actions.set_project(
            title="过期项目",
            goal="目标",
            outcome="成果",
            deadline=timezone.localdate() - dt.timedelta(days=1),
            branch=branch,
            by=secretary,
        )
    assert refused.value.code == "past_deadline"
    assert not Project.objects.exists()
