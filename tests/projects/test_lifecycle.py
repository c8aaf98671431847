"""The six steps: set, claim with a pledge, report progress, comment, public rating, commend."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from members.refusals import Refused
from points.models import Entry
from services.projects import actions
from services.projects.models import Project, Rating, TeamMember
from tests.projects.conftest import deliver

pytestmark = pytest.mark.django_db
Status = Project.Status


def test_a_project_goes_through_its_six_steps(project, leader, teammate, secretary, centre, rater):
    # Given a project set by the branch secretary, open for claiming
    assert project.status == Status.OPEN

    # When the member claims it with a teammate, reports progress, and leaders comment
    actions.claim_project(
        project=project, member=leader, pledge="一个半月完成开发并上线。", team=[teammate]
    )
    assert project.status == Status.CLAIMED
    assert project.leader.member == leader
    assert set(project.team.values_list("member", flat=True)) == {leader.pk, teammate.pk}
    actions.report_progress(project=project, by=teammate.user, text="报名模块完成。")
    assert project.status == Status.IN_PROGRESS
    actions.comment_on_project(project=project, by=secretary, text="进度很快，注意测试。")
    actions.open_rating(
        project=project, by=secretary, closes_at=timezone.now() + dt.timedelta(days=7)
    )
    assert project.status == Status.RATING
    actions.rate_project(project=project, by=rater, score=5, reason="报名很方便。")
    actions.complete_project(project=project, by=secretary)
    assert project.status == Status.COMPLETED
    actions.commend_project(project=project, by=centre, citation="一个半月上线，群众满意。")

    # Then it is commended, with one report, one comment and one rating on record
    project.refresh_from_db()
    assert project.status == Status.COMMENDED
    assert project.completed_at and project.commended_at
    assert project.reports.count() == 1
    assert project.comments.get().author_name
    assert Rating.objects.get(project=project).score == 5


def test_claiming_a_claimed_project_is_refused_and_changes_nothing(project, leader, teammate):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")

    with pytest.raises(Refused) as refused:
        actions.claim_project(project=project, member=teammate, pledge="我也来。")

    assert refused.value.code == "stale"
    assert list(TeamMember.objects.filter(project=project).values_list("member", flat=True)) == [
        leader.pk
    ]
    project.refresh_from_db()
    assert project.pledge == "按期完成。"


def test_claiming_after_the_deadline_is_refused(project, leader):
    Project.objects.filter(pk=project.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    project.refresh_from_db()

    with pytest.raises(Refused) as refused:
        actions.claim_project(project=project, member=leader, pledge="按期完成。")

    assert refused.value.code == "past_deadline"
    project.refresh_from_db()
    assert project.status == Status.OPEN
    assert not project.team.exists()


def test_a_claim_needs_a_pledge(project, leader):
    with pytest.raises(Refused) as refused:
        actions.claim_project(project=project, member=leader, pledge="  ")
    assert refused.value.code == "pledge_required"
    assert Project.objects.get(pk=project.pk).status == Status.OPEN


def test_progress_by_someone_not_on_the_project_is_refused(project, leader, teammate):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")

    with pytest.raises(Refused) as refused:
        actions.report_progress(project=project, by=teammate.user, text="我来报告。")

    assert refused.value.code == "not_on_team"
    assert not project.reports.exists()
    assert Project.objects.get(pk=project.pk).status == Status.CLAIMED


def test_progress_on_an_open_project_is_refused(project, leader):
    with pytest.raises(Refused) as refused:
        actions.report_progress(project=project, by=leader.user, text="开始了。")
    assert refused.value.code == "not_on_team"


def test_commending_an_unfinished_project_is_refused(project, leader, secretary, centre):
    deliver(project, leader, secretary)

    with pytest.raises(Refused) as refused:
        actions.commend_project(project=project, by=centre, citation="很好。")

    assert refused.value.code == "unfinished"
    project.refresh_from_db()
    assert project.status == Status.RATING
    assert project.commended_at is None
    assert not Entry.objects.exists()


def test_only_centre_staff_commend(project, leader, secretary):
    deliver(project, leader, secretary)
    actions.complete_project(project=project, by=secretary)

    with pytest.raises(Refused) as refused:
        actions.commend_project(project=project, by=secretary, citation="很好。")

    assert refused.value.code == "forbidden"
    assert Project.objects.get(pk=project.pk).status == Status.COMPLETED


def test_rating_opens_only_after_progress(project, leader, secretary):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")

    with pytest.raises(Refused) as refused:
        actions.open_rating(
            project=project, by=secretary, closes_at=timezone.now() + dt.timedelta(days=3)
        )

    assert refused.value.code == "stale"
    assert Project.objects.get(pk=project.pk).rating_opens_at is None


def test_a_leader_comment_needs_a_claimed_project(project, secretary):
    with pytest.raises(Refused) as refused:
        actions.comment_on_project(project=project, by=secretary, text="加油。")
    assert refused.value.code == "not_claimed"
    assert not project.comments.exists()
