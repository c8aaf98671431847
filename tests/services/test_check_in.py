"""check_in: verified attendance awards the activity's points exactly once, within the cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from points.models import Account, Entry, Policy
from services import actions
from services.models import Attendance
from tests.concurrency import run_together
from tests.services.conftest import make_activity, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(organisation):
    return make_activity(organisation=organisation, points=8, capacity=1)


@pytest.fixture
def attendee(activity):
    member = make_member()
    actions.sign_up(activity=activity, member=member)
    return member


def _during(activity):
    return time_machine.travel(activity.starts_at + timedelta(minutes=10))


def _balance(member) -> int:
    account = Account.objects.filter(member=member).first()
    return account.balance if account else 0


def test_checking_in_awards_the_activity_points(activity, attendee):
    with _during(activity):
        attendance = actions.check_in(
            activity=activity, member=attendee, token=actions.checkin_token(activity=activity)
        )
    assert attendance.was_created
    assert attendance.points_awarded == 8
    assert _balance(attendee) == 8
    entry = Entry.objects.get()
    assert entry.source == f"activity:{activity.pk}:member:{attendee.pk}"


def test_a_replayed_check_in_awards_nothing_more(activity, attendee):
    with _during(activity):
        token = actions.checkin_token(activity=activity)
        actions.check_in(activity=activity, member=attendee, token=token)
        replay = actions.check_in(activity=activity, member=attendee, token=token)
    assert not replay.was_created
    assert Attendance.objects.count() == 1
    assert _balance(attendee) == 8
    assert Entry.objects.count() == 1


def test_the_monthly_cap_clips_the_award(activity, attendee):
    policy = Policy.load()
    policy.default_monthly_cap = 5
    policy.save()
    with _during(activity):
        attendance = actions.check_in(
            activity=activity, member=attendee, token=actions.checkin_token(activity=activity)
        )
    assert attendance.points_awarded == 5
    assert _balance(attendee) == 5


def test_a_used_up_cap_still_records_the_attendance_with_no_points(activity, attendee):
    from points.actions import award

    policy = Policy.load()
    policy.default_monthly_cap = 5
    policy.save()
    with _during(activity):
        award(member=attendee, amount=5, reason="早先的志愿服务", source="test:earlier")
        attendance = actions.check_in(
            activity=activity, member=attendee, token=actions.checkin_token(activity=activity)
        )
    assert attendance.was_created
    assert attendance.points_awarded == 0
    assert _balance(attendee) == 5


def test_an_expired_code_is_refused_and_nothing_written(activity, attendee, settings):
    with _during(activity) as traveller:
        token = actions.checkin_token(activity=activity)
        traveller.shift(settings.SERVICES_CHECKIN_MAX_AGE_SECONDS + 1)
        with pytest.raises(ValidationError) as caught:
            actions.check_in(activity=activity, member=attendee, token=token)
    assert caught.value.code == "expired"
    assert not Attendance.objects.exists()
    assert _balance(attendee) == 0


def test_a_forged_code_is_refused(activity, attendee):
    with _during(activity), pytest.raises(ValidationError) as caught:
        actions.check_in(activity=activity, member=attendee, token=f"{activity.pk}.1:abc:def")
    assert caught.value.code == "forged"
    assert not Attendance.objects.exists()


def test_a_member_without_a_place_cannot_check_in(activity, attendee):
    waiting = make_member()
    actions.sign_up(activity=activity, member=waiting)  # capacity 1: on the waiting list
    stranger = make_member()
    with _during(activity):
        token = actions.checkin_token(activity=activity)
        for member in (waiting, stranger):
            with pytest.raises(ValidationError) as caught:
                actions.check_in(activity=activity, member=member, token=token)
            assert caught.value.code == "not_signed_up"
    assert not Attendance.objects.exists()


def test_checking_in_for_an_activity_not_taking_place_is_refused(activity, attendee):
    with (
        time_machine.travel(activity.ends_at + timedelta(hours=2)),
        pytest.raises(ValidationError) as caught,
    ):
        actions.check_in(
            activity=activity, member=attendee, token=actions.checkin_token(activity=activity)
        )
    assert caught.value.code == "not_now"
    assert not Attendance.objects.exists()


def test_a_code_of_another_activity_is_refused(activity, attendee, organisation):
    other = make_activity(organisation=organisation, starts_in=timedelta(days=3))
    with _during(activity), pytest.raises(ValidationError) as caught:
        actions.check_in(
            activity=activity, member=attendee, token=actions.checkin_token(activity=other)
        )
    assert caught.value.code == "other_activity"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_check_ins_award_once(postgres, organisation):
    """Two requests of the same member at the same instant: one attendance, one award."""
    activity = make_activity(organisation=organisation, points=8, starts_in=timedelta(minutes=-5))
    member = make_member()
    from services.models import SignUp

    SignUp.objects.create(activity=activity, member=member, status=SignUp.Status.CONFIRMED)
    token = actions.checkin_token(activity=activity)
    race = run_together(
        *[lambda: actions.check_in(activity=activity, member=member, token=token)] * 2
    )

    assert race.errors == []
    assert sorted(r.was_created for r in race.values) == [False, True]
    assert Attendance.objects.filter(activity=activity, member=member).count() == 1
    assert Entry.objects.filter(source=f"activity:{activity.pk}:member:{member.pk}").count() == 1
    assert Account.objects.get(member=member).balance == 8
