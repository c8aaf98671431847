"""tick_attendance: the organiser's list; one bulk award; the same source as a QR check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from points.models import Account, Entry
from services import actions
from services.models import Attendance
from tests.services.conftest import make_activity, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(organisation):
    return make_activity(organisation=organisation, points=6, capacity=5)


@pytest.fixture
def attendees(activity):
    members = [make_member() for _ in range(3)]
    for m in members:
        actions.sign_up(activity=activity, member=m)
    return members


def test_ticked_members_are_present_and_awarded(activity, attendees, contact):
    with time_machine.travel(activity.starts_at + timedelta(minutes=5)):
        attendances = actions.tick_attendance(activity=activity, members=attendees, by=contact)
    assert [a.points_awarded for a in attendances] == [6, 6, 6]
    assert all(a.method == Attendance.Method.LIST for a in attendances)
    assert sorted(Account.objects.values_list("balance", flat=True)) == [6, 6, 6]


def test_ticking_someone_who_already_scanned_awards_nothing_more(activity, attendees, contact):
    first = attendees[0]
    with time_machine.travel(activity.starts_at + timedelta(minutes=5)):
        actions.check_in(
            activity=activity, member=first, token=actions.checkin_token(activity=activity)
        )
        actions.tick_attendance(activity=activity, members=attendees, by=contact)
        actions.tick_attendance(activity=activity, members=attendees, by=contact)  # twice
    assert Attendance.objects.count() == 3
    assert Entry.objects.count() == 3
    assert Account.objects.get(member=first).balance == 6


def test_only_the_organisers_contacts_or_staff_tick(activity, attendees, other_contact, staff):
    with time_machine.travel(activity.starts_at + timedelta(minutes=5)):
        with pytest.raises(ValidationError) as caught:
            actions.tick_attendance(activity=activity, members=attendees, by=other_contact)
        assert caught.value.code == "forbidden"
        actions.tick_attendance(activity=activity, members=attendees[:1], by=staff)
    assert Attendance.objects.count() == 1


def test_members_who_did_not_sign_up_are_refused_and_nobody_is_recorded(
    activity, attendees, contact
):
    stranger = make_member(name="路人甲")
    with (
        time_machine.travel(activity.starts_at + timedelta(minutes=5)),
        pytest.raises(ValidationError) as caught,
    ):
        actions.tick_attendance(activity=activity, members=[*attendees, stranger], by=contact)
    assert "路人甲" in caught.value.messages[0]
    assert not Attendance.objects.exists()
    assert not Entry.objects.exists()


def test_attendance_cannot_be_ticked_before_the_activity(activity, attendees, contact):
    with pytest.raises(ValidationError) as caught:
        actions.tick_attendance(activity=activity, members=attendees, by=contact)
    assert caught.value.code == "not_started"
