"""Races on PostgreSQL: one claim wins; completion and commendation award once each."""

from __future__ import annotations

import pytest

from points.models import Account, Entry
from services.projects import actions
from services.projects.models import Project, TeamMember
from tests.concurrency import run_together
from tests.projects.conftest import deliver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_completing_and_commending_from_many_threads_awards_once(
    postgres, project, leader, teammate, secretary, centre
):
    deliver(project, leader, secretary)

    completing = run_together(
        *[
            lambda: actions.complete_project(
                project=Project.objects.get(pk=project.pk), by=secretary
            )
            for _ in range(6)
        ]
    )
    commending = run_together(
        *[
            lambda: actions.commend_project(
                project=Project.objects.get(pk=project.pk), by=centre, citation="群众满意。"
            )
            for _ in range(6)
        ]
    )

    # A repeated step changes nothing and is no error (repeat_ok): every call returns.
    assert completing.errors == commending.errors == []
    assert Project.objects.get(pk=project.pk).status == Project.Status.COMMENDED
    assert Entry.objects.count() == 2
    assert Account.objects.get(member=leader).balance == (
        actions.PROJECT_DELIVERY_POINTS + actions.PROJECT_COMMENDATION_POINTS
    )


def test_two_members_claiming_at_once_one_wins(postgres, project, leader, teammate):
    race = run_together(
        *[
            lambda m=m: actions.claim_project(
                project=Project.objects.get(pk=project.pk), member=m, pledge="我来领办。"
            )
            for m in (leader, teammate)
        ]
    )

    assert (len(race.values), race.refusals()) == (1, ["stale"])
    assert TeamMember.objects.filter(project=project).count() == 1
