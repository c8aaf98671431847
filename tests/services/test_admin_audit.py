"""Sign-ups and requests staff change through the admin actions leave one audit record per
row with before and after values (the actions move them with .update(), which sends no save
signal); the same steps taken by a member or the periodic task are no admin change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.audit import AuditEvent
from services import actions
from services.models import SignUp
from tests.services.conftest import make_activity, make_member

pytestmark = pytest.mark.django_db
CHANGE = AuditEvent.Kind.ADMIN_CHANGE


def _records(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            kind=CHANGE, object_id=str(obj.pk), content_type__model=obj._meta.model_name
        )
    )


def test_cancelling_in_the_admin_records_the_cancelled_and_the_promoted(
    client, staff, organisation
):
    activity = make_activity(organisation=organisation, capacity=1)
    signup = actions.sign_up(activity=activity, member=make_member())
    waiting = actions.sign_up(activity=activity, member=make_member())
    assert waiting.status == SignUp.Status.WAITING
    client.force_login(staff)

    client.post(
        reverse("admin:services_signup_changelist"),
        {"action": "cancel_signups", "_selected_action": [signup.pk]},
    )

    (record,) = _records(signup)
    assert record.user == staff and record.details["action"] == "cancel_sign_up"
    assert record.details["changes"]["status"] == {"before": "confirmed", "after": "cancelled"}
    assert record.details["changes"]["cancelled_at"]["before"] is None
    (promoted,) = _records(waiting)
    assert promoted.user == staff and promoted.details["action"] == "promote_waiting"
    assert promoted.details["changes"]["status"] == {"before": "waiting", "after": "confirmed"}


def test_a_member_cancelling_their_own_sign_up_is_no_admin_change(organisation, member):
    activity = make_activity(organisation=organisation, capacity=1)
    signup = actions.sign_up(activity=activity, member=member)
    actions.sign_up(activity=activity, member=make_member())
    actions.cancel_sign_up(signup=signup, by=member.user)
    assert not AuditEvent.objects.filter(kind=CHANGE).exists()


def test_flagging_overdue_requests_in_the_admin_records_each_request(
    client, staff, service, member_user, settings
):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        late = actions.request_service(service=service, requester=member_user, details="早")
    client.force_login(staff)

    client.post(
        reverse("admin:services_servicerequest_changelist"),
        {"action": "flag_overdue", "_selected_action": [late.pk]},
    )

    late.refresh_from_db()
    assert late.overdue_flagged_at is not None
    (record,) = _records(late)
    assert record.user == staff and record.details["action"] == "flag_overdue_requests"
    change = record.details["changes"]["overdue_flagged_at"]
    assert change["before"] is None and change["after"] == str(late.overdue_flagged_at)
