"""The staff admin: every services model is listed, and its actions go through actions.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from deqing_hub.schedule import BEAT_SCHEDULE
from services import actions
from services.models import Activity, Attendance, SignUp
from tests.services.conftest import category, make_activity, make_member

pytestmark = pytest.mark.django_db

MODELS = [
    "category",
    "service",
    "servicerequest",
    "servicerecord",
    "activity",
    "signup",
    "attendance",
]


@pytest.mark.parametrize("model", MODELS)
def test_each_changelist_opens_and_searches(client, staff, model, service, member_user):
    actions.request_service(service=service, requester=member_user, details="<b>需求</b>")
    client.force_login(staff)
    assert client.get(reverse(f"admin:services_{model}_changelist")).status_code == 200
    assert (
        client.get(reverse(f"admin:services_{model}_changelist"), {"q": "联谊"}).status_code == 200
    )


def test_cancelling_sign_ups_in_the_admin_moves_the_waiting_list_up(client, staff, organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    first, second = make_member(), make_member()
    signup = actions.sign_up(activity=activity, member=first)
    actions.sign_up(activity=activity, member=second)
    client.force_login(staff)
    client.post(
        reverse("admin:services_signup_changelist"),
        {"action": "cancel_signups", "_selected_action": [signup.pk]},
    )
    assert activity.signups.get(member=second).status == SignUp.Status.CONFIRMED


def test_raising_capacity_in_the_admin_fills_places(client, staff, organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    for _ in range(3):
        actions.sign_up(activity=activity, member=make_member())
    Activity.objects.filter(pk=activity.pk).update(capacity=3)
    client.force_login(staff)
    client.post(
        reverse("admin:services_activity_changelist"),
        {"action": "fill_places", "_selected_action": [activity.pk]},
    )
    assert activity.signups.confirmed().count() == 3


def test_attendance_is_read_only_in_the_admin(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:services_attendance_add")).status_code == 403
    assert Attendance.objects.count() == 0


def test_the_overdue_scan_is_scheduled():
    entry = BEAT_SCHEDULE["services-flag-overdue-requests"]
    assert entry["task"] == "services.tasks.flag_overdue_requests"


def test_the_overdue_filter_lists_unanswered_requests(client, staff, service, member_user):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        late = actions.request_service(service=service, requester=member_user, details="早")
    actions.request_service(service=service, requester=member_user, details="新")
    client.force_login(staff)
    response = client.get(reverse("admin:services_servicerequest_changelist"), {"overdue": "yes"})
    assert [r.pk for r in response.context["cl"].result_list] == [late.pk]


def test_an_activity_ending_before_it_starts_is_refused_in_chinese(client, staff, organisation):
    client.force_login(staff)
    response = client.post(
        reverse("admin:services_activity_add"),
        {
            "title": "倒着走的活动",
            "category": category("volunteer").pk,
            "organisation": organisation.pk,
            "starts_at_0": "2026-12-12",
            "starts_at_1": "14:00",
            "ends_at_0": "2026-12-12",
            "ends_at_1": "12:00",
            "signup_deadline_0": "2026-12-11",
            "signup_deadline_1": "12:00",
            "venue": "红盟书吧",
            "capacity": 10,
            "points": 5,
            "is_published": "on",
            "signups-TOTAL_FORMS": 0,
            "signups-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "活动结束时间必须晚于开始时间" in response.content.decode()
    assert not Activity.objects.exists()
