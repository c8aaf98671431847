"""Capacity holds under simultaneous sign-ups (PostgreSQL, real threads)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from services import actions
from services.models import SignUp
from tests.concurrency import run_together
from tests.services.conftest import make_activity, make_member


@pytest.mark.django_db(transaction=True)
def test_ten_members_signing_up_at_once_for_three_places(postgres, organisation):
    activity = make_activity(organisation=organisation, capacity=3)
    members = [make_member() for _ in range(10)]

    errors = run_together(
        *[lambda m=m: actions.sign_up(activity=activity, member=m) for m in members]
    ).errors

    assert errors == []
    assert activity.signups.confirmed().count() == 3
    assert activity.signups.waiting().count() == 7


@pytest.mark.django_db(transaction=True)
def test_one_member_double_submitting_gets_one_place(postgres, organisation):
    activity = make_activity(organisation=organisation, capacity=3)
    member = make_member()

    errors = run_together(*[lambda: actions.sign_up(activity=activity, member=member)] * 4).errors

    assert SignUp.objects.filter(activity=activity, member=member).count() == 1
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) and e.code == "twice" for e in errors)


@pytest.mark.django_db(transaction=True)
def test_cancellations_at_once_promote_each_waiting_member_once(postgres, organisation):
    activity = make_activity(organisation=organisation, capacity=2)
    holders = [make_member() for _ in range(2)]
    waiting = [make_member() for _ in range(3)]
    signups = [actions.sign_up(activity=activity, member=m) for m in holders]
    for m in waiting:
        actions.sign_up(activity=activity, member=m)
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user(
        email="s@example.cn", is_staff=True, is_superuser=True
    )

    errors = run_together(
        *[lambda s=s: actions.cancel_sign_up(signup=s, by=staff) for s in signups]
    ).errors

    assert errors == []
    assert activity.signups.confirmed().count() == 2
    assert set(activity.signups.confirmed().values_list("member_id", flat=True)) == {
        waiting[0].pk,
        waiting[1].pk,
    }
