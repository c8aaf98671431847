"""Capacity holds under simultaneous sign-ups (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from services import actions
from services.models import SignUp
from tests.services.conftest import make_activity, make_member


def _run_together(targets) -> list[Exception]:
    barrier = threading.Barrier(len(targets))
    errors: list[Exception] = []

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_ten_members_signing_up_at_once_for_three_places(postgres, organisation):
    activity = make_activity(organisation=organisation, capacity=3)
    members = [make_member() for _ in range(10)]

    errors = _run_together(
        [lambda m=m: actions.sign_up(activity=activity, member=m) for m in members]
    )

    assert errors == []
    assert activity.signups.confirmed().count() == 3
    assert activity.signups.waiting().count() == 7


@pytest.mark.django_db(transaction=True)
def test_one_member_double_submitting_gets_one_place(postgres, organisation):
    activity = make_activity(organisation=organisation, capacity=3)
    member = make_member()

    errors = _run_together([lambda: actions.sign_up(activity=activity, member=member)] * 4)

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

    errors = _run_together(
        [lambda s=s: actions.cancel_sign_up(signup=s, by=staff) for s in signups]
    )

    assert errors == []
    assert activity.signups.confirmed().count() == 2
    assert set(activity.signups.confirmed().values_list("member_id", flat=True)) == {
        waiting[0].pk,
        waiting[1].pk,
    }
