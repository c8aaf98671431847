"""sign_up and cancel_sign_up: capacity, the waiting list and its promotion, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from members.notices.models import Notice
from services import actions
from services.models import SignUp
from tests.notices.conftest import deliver_pending
from tests.services.conftest import make_activity, make_member, member_with_login

pytestmark = pytest.mark.django_db
Status = SignUp.Status


def test_places_are_confirmed_up_to_capacity_then_the_waiting_list_starts(organisation):
    activity = make_activity(organisation=organisation, capacity=2)
    members = [make_member() for _ in range(4)]

    statuses = [actions.sign_up(activity=activity, member=m).status for m in members]

    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITING, Status.WAITING]


def test_cancelling_a_place_moves_the_first_waiting_member_up(organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    first = member_with_login()
    second, third = make_member(), make_member()
    signup = actions.sign_up(activity=activity, member=first)
    actions.sign_up(activity=activity, member=second)
    actions.sign_up(activity=activity, member=third)

    actions.cancel_sign_up(signup=signup, by=first.user)

    statuses = dict(activity.signups.values_list("member_id", "status"))
    assert statuses == {
        first.pk: Status.CANCELLED,
        second.pk: Status.CONFIRMED,
        third.pk: Status.WAITING,
    }
    assert activity.signups.get(member=second).promoted_at is not None


def test_cancelling_a_waiting_place_promotes_nobody(organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    a, b, c = make_member(), member_with_login(), make_member()
    actions.sign_up(activity=activity, member=a)
    waiting = actions.sign_up(activity=activity, member=b)
    actions.sign_up(activity=activity, member=c)

    actions.cancel_sign_up(signup=waiting, by=b.user)

    assert activity.signups.get(member=c).status == Status.WAITING


def test_a_larger_capacity_fills_from_the_waiting_list_in_order(organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    members = [make_member() for _ in range(4)]
    for m in members:
        actions.sign_up(activity=activity, member=m)
    activity.capacity = 3
    activity.save()

    promoted = actions.promote_waiting(activity=activity)

    assert [s.member_id for s in promoted] == [members[1].pk, members[2].pk]
    assert activity.signups.get(member=members[3]).status == Status.WAITING


def test_the_promoted_member_is_told_once(organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    first, second = member_with_login(), member_with_login()
    signup = actions.sign_up(activity=activity, member=first)
    actions.sign_up(activity=activity, member=second)
    actions.cancel_sign_up(signup=signup, by=first.user)
    promoted = activity.signups.get(member=second)

    [notice] = Notice.objects.filter(event=f"services.promoted:{promoted.pk}")
    assert notice.user == second.user
    assert (len(deliver_pending()), deliver_pending()) == (1, [])
    assert mail.outbox[0].to == [second.user.email]
    assert f"/activities/{activity.pk}/" in mail.outbox[0].body


def test_signing_up_twice_is_refused(organisation):
    activity = make_activity(organisation=organisation)
    member = make_member()
    actions.sign_up(activity=activity, member=member)

    with pytest.raises(ValidationError) as caught:
        actions.sign_up(activity=activity, member=member)

    assert caught.value.code == "twice"
    assert activity.signups.count() == 1


def test_signing_up_again_after_cancelling_is_allowed(organisation):
    activity = make_activity(organisation=organisation)
    member = member_with_login()
    actions.cancel_sign_up(signup=actions.sign_up(activity=activity, member=member), by=member.user)

    again = actions.sign_up(activity=activity, member=member)

    assert again.status == Status.CONFIRMED


def test_signing_up_past_the_deadline_is_refused(organisation):
    activity = make_activity(organisation=organisation)
    with (
        time_machine.travel(activity.signup_deadline + timedelta(minutes=1)),
        pytest.raises(ValidationError) as caught,
    ):
        actions.sign_up(activity=activity, member=make_member())
    assert caught.value.code == "deadline"
    assert not activity.signups.exists()


def test_an_unpublished_activity_takes_no_sign_ups(organisation):
    activity = make_activity(organisation=organisation)
    activity.is_published = False
    activity.save()
    with pytest.raises(ValidationError):
        actions.sign_up(activity=activity, member=make_member())


def test_cancelling_after_the_start_is_refused(organisation):
    activity = make_activity(organisation=organisation)
    member = member_with_login()
    signup = actions.sign_up(activity=activity, member=member)
    with (
        time_machine.travel(activity.starts_at + timedelta(minutes=5)),
        pytest.raises(ValidationError) as caught,
    ):
        actions.cancel_sign_up(signup=signup, by=member.user)
    assert caught.value.code == "started"
    signup.refresh_from_db()
    assert signup.status == Status.CONFIRMED


def test_nobody_cancels_another_members_place(organisation, public_user):
    activity = make_activity(organisation=organisation)
    signup = actions.sign_up(activity=activity, member=member_with_login())
    with pytest.raises(ValidationError) as caught:
        actions.cancel_sign_up(signup=signup, by=public_user)
    assert caught.value.code == "forbidden"


def test_cancelling_twice_is_refused(organisation):
    activity = make_activity(organisation=organisation)
    member = member_with_login()
    signup = actions.sign_up(activity=activity, member=member)
    actions.cancel_sign_up(signup=signup, by=member.user)
    with pytest.raises(ValidationError) as caught:
        actions.cancel_sign_up(signup=signup, by=member.user)
    assert caught.value.code == "stale"
