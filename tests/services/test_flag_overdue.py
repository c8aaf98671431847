"""flag_overdue_requests: unanswered requests are flagged once, after the configured days."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from members.notices.models import Notice
from services import actions, tasks
from services.models import RequestEvent, ServiceRequest
from tests.notices.conftest import deliver_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(service, member_user):
    return actions.request_service(service=service, requester=member_user, details="联谊")


def test_nothing_is_overdue_within_the_allowed_days(requested, settings):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 3
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        assert actions.flag_overdue_requests() == 0
    assert not ServiceRequest.objects.overdue().exists()


def test_an_undispatched_request_is_flagged_once_after_the_allowed_days(requested, settings):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 3
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        first = tasks.flag_overdue_requests()  # the periodic task, run twice
        second = tasks.flag_overdue_requests()
    assert (first, second) == (1, 0)
    requested.refresh_from_db()
    assert requested.overdue_flagged_at is not None
    assert requested.events.filter(kind=RequestEvent.Kind.OVERDUE).count() == 1


def test_the_number_of_days_is_configurable(requested, settings):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert actions.flag_overdue_requests() == 1


def test_a_dispatched_request_counts_from_the_dispatch(
    requested, organisation, contact, staff, settings
):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 3
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=2)):
        actions.dispatch_request(request=requested, organisation=organisation, by=staff)
    with time_machine.travel(start + timedelta(days=4)):
        assert actions.flag_overdue_requests() == 0  # only 2 days since dispatch
    with time_machine.travel(start + timedelta(days=5, minutes=1)):
        assert actions.flag_overdue_requests() == 1


def test_an_answered_request_is_not_overdue(requested, organisation, contact, staff, settings):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    actions.accept_request(
        request=actions.dispatch_request(request=requested, organisation=organisation, by=staff),
        by=contact,
    )
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert actions.flag_overdue_requests() == 0


def test_redispatching_clears_the_flag_so_a_new_delay_is_flagged_again(
    requested, organisation, other_organisation, contact, staff, service, settings
):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    service.providers.add(other_organisation)
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=2)):
        actions.flag_overdue_requests()
        actions.dispatch_request(request=requested, organisation=organisation, by=staff)
    requested.refresh_from_db()
    assert requested.overdue_flagged_at is None
    with time_machine.travel(start + timedelta(days=4)):
        assert actions.flag_overdue_requests() == 1


def test_the_overdue_notice_goes_to_staff_and_the_organisation(
    requested, organisation, contact, staff, settings, mailoutbox
):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    actions.dispatch_request(request=requested, organisation=organisation, by=staff)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        actions.flag_overdue_requests()
    event = requested.events.get(kind=RequestEvent.Kind.OVERDUE)
    deliver_pending(now=timezone.now() + timedelta(days=3))  # the notices were written then
    told = Notice.objects.filter(event=f"services.request_event:{event.pk}")
    assert {n.user for n in told} == {requested.requester, staff, contact}
    recipients = {a for m in mailoutbox for a in m.to}
    assert {staff.email, contact.email} <= recipients
    assert any("已超时" in m.subject for m in mailoutbox)


def test_the_task_run_twice_tells_the_organisation_once_with_an_absolute_link(
    requested, organisation, contact, staff, settings
):
    # Issue #16's "request overdue to its organisation": the overdue step's notice is it.
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    actions.dispatch_request(request=requested, organisation=organisation, by=staff)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert (tasks.flag_overdue_requests(), tasks.flag_overdue_requests()) == (1, 0)
    event = requested.events.get(kind=RequestEvent.Kind.OVERDUE)
    [notice] = Notice.objects.filter(user=contact, event=f"services.request_event:{event.pk}")
    assert notice.link == f"https://dangqun.example.cn/services/requests/{requested.pk}/"
