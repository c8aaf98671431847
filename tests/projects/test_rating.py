"""群众评议: once per logged-in person, with a reason, only while the window is open."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from members.refusals import Refused
from services.projects import actions
from services.projects.models import Rating
from tests.projects.conftest import deliver

pytestmark = pytest.mark.django_db


def test_rating_twice_is_refused_and_the_first_stands(project, leader, secretary, rater):
    deliver(project, leader, secretary)
    actions.rate_project(project=project, by=rater, score=4, reason="很实用。")

    with pytest.raises(Refused) as refused:
        actions.rate_project(project=project, by=rater, score=1, reason="改主意了。")

    assert refused.value.code == "rated_twice"
    assert list(Rating.objects.values_list("score", "reason")) == [(4, "很实用。")]


def test_rating_before_the_window_opens_is_refused(project, leader, rater):
    actions.claim_project(project=project, member=leader, pledge="按期完成。")

    with pytest.raises(Refused) as refused:
        actions.rate_project(project=project, by=rater, score=5, reason="期待。")

    assert refused.value.code == "rating_not_open"
    assert not Rating.objects.exists()


def test_rating_after_the_window_closes_is_refused(project, leader, secretary, rater):
    deliver(project, leader, secretary)

    later = timezone.now() + dt.timedelta(days=8)
    with time_machine.travel(later), pytest.raises(Refused) as refused:
        actions.rate_project(project=project, by=rater, score=5, reason="晚了。")

    assert refused.value.code == "rating_closed"
    assert not Rating.objects.exists()


def test_a_rating_needs_a_reason_and_one_to_five_stars(project, leader, secretary, rater):
    deliver(project, leader, secretary)
    for score, reason, code in [
        (5, " ", "reason_required"),
        (0, "好", "score"),
        (6, "好", "score"),
    ]:
        with pytest.raises(Refused) as refused:
            actions.rate_project(project=project, by=rater, score=score, reason=reason)
        assert refused.value.code == code
    assert not Rating.objects.exists()


def test_the_team_does_not_rate_its_own_project(project, leader, secretary):
    deliver(project, leader, secretary)
    with pytest.raises(Refused) as refused:
        actions.rate_project(project=project, by=leader.user, score=5, reason="我们很棒。")
    assert refused.value.code == "own_project"


def test_the_database_keeps_one_rating_per_person(project, leader, secretary, rater):
    deliver(project, leader, secretary)
    Rating.objects.create(project=project, user=rater, score=3, reason="一般。")
    with pytest.raises(IntegrityError):
        Rating.objects.create(project=project, user=rater, score=5, reason="再来。")
