"""Points for keeping a pledge and for a commendation: once each, through points.actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from points.models import Account, Entry, Policy
from services.projects import actions
from tests.projects.conftest import deliver

pytestmark = pytest.mark.django_db


def _balance(member) -> int:
    return Account.objects.get(member=member).balance


def test_completion_awards_each_team_member_once(project, leader, teammate, secretary):
    actions.claim_project(project=project, member=leader, pledge="按期完成。", team=[teammate])
    actions.report_progress(project=project, by=leader.user, text="完成。")
    actions.open_rating(
        project=project, by=secretary, closes_at=timezone.now() + dt.timedelta(days=1)
    )

    # When the project is completed twice (a double click)
    actions.complete_project(project=project, by=secretary)
    actions.complete_project(project=project, by=secretary)

    # Then each team member has the delivery points once
    assert _balance(leader) == actions.PROJECT_DELIVERY_POINTS
    assert _balance(teammate) == actions.PROJECT_DELIVERY_POINTS
    assert Entry.objects.count() == 2
    assert {e.source for e in Entry.objects.all()} == {
        f"project:{project.pk}:completed:member:{leader.pk}",
        f"project:{project.pk}:completed:member:{teammate.pk}",
    }


def test_commendation_awards_once_on_top_of_delivery(project, leader, secretary, centre):
    deliver(project, leader, secretary)
    actions.complete_project(project=project, by=secretary)

    actions.commend_project(project=project, by=centre, citation="群众满意。")
    actions.commend_project(project=project, by=centre, citation="再点一次。")

    assert _balance(leader) == actions.PROJECT_DELIVERY_POINTS + actions.PROJECT_COMMENDATION_POINTS
    assert Entry.objects.filter(source__contains=":commended:").count() == 1
    project.refresh_from_db()
    assert project.citation == "群众满意。"


def test_points_keep_the_monthly_cap(project, leader, secretary, centre):
    policy = Policy.load()
    policy.default_monthly_cap = 25
    policy.save()
    deliver(project, leader, secretary)
    actions.complete_project(project=project, by=secretary)
    actions.commend_project(project=project, by=centre, citation="群众满意。")

    assert _balance(leader) == 25
