"""The day-before reminder of an activity: once per place, however often the task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from members import periods
from members.notices.models import Notice
from services import actions
from services.models import Activity, SignUp
from services.tasks import remind_tomorrows_activities
from tests.concurrency import run_together
from tests.factories import ActivityFactory
from tests.services.conftest import member_with_login

KIND = "services.activity_reminder"


def activity_on(organisation, day: dt.date, *, hour: int = 10) -> Activity:
    """An activity starting at `hour` o'clock Deqing time on `day`."""
    start = periods.day_bounds(day)[0] + dt.timedelta(hours=hour)
    return ActivityFactory(
        organisation=organisation,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        signup_deadline=start - dt.timedelta(hours=1),
        capacity=1,
    )


def place(activity: Activity) -> SignUp:
    return SignUp.objects.create(
        activity=activity, member=member_with_login(), status=SignUp.Status.CONFIRMED
    )


@pytest.mark.django_db
def test_each_place_tomorrow_is_reminded_once_with_an_absolute_link(organisation, settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    today = timezone.localdate()
    # Just after midnight and just before the next one: both are "tomorrow" in Deqing.
    early = activity_on(organisation, today + dt.timedelta(days=1), hour=0)
    late = activity_on(organisation, today + dt.timedelta(days=1), hour=22)
    first, second = place(early), place(late)

    assert actions.remind_tomorrows_activities(today=today) == 2
    assert actions.remind_tomorrows_activities(today=today) == 0
    assert remind_tomorrows_activities() in (0, 2)  # 2 only if midnight passed meanwhile

    notices = Notice.objects.filter(kind=KIND).order_by("user_id")
    assert [n.user_id for n in notices] == sorted([first.member.user_id, second.member.user_id])
    notice = Notice.objects.get(kind=KIND, user=first.member.user)
    assert notice.link == f"https://dangqun.example.cn/activities/{early.pk}/"
    assert early.title in notice.subject
    assert notice.deliveries.count() == 1  # e-mail by default


@pytest.mark.django_db
def test_no_reminder_when_not_due(organisation):
    today = timezone.localdate()
    place(activity_on(organisation, today, hour=23))  # today: too late for "the day before"
    place(activity_on(organisation, today + dt.timedelta(days=2), hour=0))  # the day after
    tomorrow = activity_on(organisation, today + dt.timedelta(days=1))
    tomorrow.capacity = 3
    tomorrow.save()
    SignUp.objects.create(
        activity=tomorrow, member=member_with_login(), status=SignUp.Status.WAITING
    )
    SignUp.objects.create(
        activity=tomorrow, member=member_with_login(), status=SignUp.Status.CANCELLED
    )

    assert actions.remind_tomorrows_activities(today=today) == 0
    assert not Notice.objects.filter(kind=KIND).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_each_place_once(organisation):
    today = timezone.localdate()
    signups = [
        place(activity_on(organisation, today + dt.timedelta(days=1), hour=h)) for h in (9, 15)
    ]

    race = run_together(
        lambda: actions.remind_tomorrows_activities(today=today),
        lambda: actions.remind_tomorrows_activities(today=today),
    )

    assert not race.errors
    assert sum(race.values) == 2
    assert Notice.objects.filter(kind=KIND).count() == 2
    assert {n.user_id for n in Notice.objects.filter(kind=KIND)} == {
        s.member.user_id for s in signups
    }
