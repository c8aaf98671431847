"""Concurrent steps on one request move it once (PostgreSQL, real threads)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.notices.models import Notice
from services import actions
from services.models import RequestEvent
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dispatched(service, organisation, member_user, staff):
    request = actions.request_service(service=service, requester=member_user, details="联谊")
    return actions.dispatch_request(request=request, organisation=organisation, by=staff)


def test_two_contacts_accepting_at_once_accept_once(postgres, dispatched, organisation, contact):
    from tests.conftest import make_user

    backup = make_user(email="backup@example.cn", phone="13600000013")
    organisation.backup_contact = backup
    organisation.save()

    errors = run_together(
        lambda: actions.accept_request(request=dispatched, by=contact),
        lambda: actions.accept_request(request=dispatched, by=backup),
    ).errors

    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError) and errors[0].code == "stale"
    assert dispatched.events.filter(kind=RequestEvent.Kind.ACCEPTED).count() == 1


def test_two_overdue_scans_at_once_flag_once(postgres, dispatched, settings):
    settings.SERVICES_REQUEST_ANSWER_DAYS = 1
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        race = run_together(actions.flag_overdue_requests, actions.flag_overdue_requests)
    assert race.errors == []
    assert sorted(race.values) == [0, 1]
    assert dispatched.events.filter(kind=RequestEvent.Kind.OVERDUE).count() == 1
    [event] = dispatched.events.filter(kind=RequestEvent.Kind.OVERDUE)
    # Its notices too: one per person (the organisation's contacts among them).
    told = Notice.objects.filter(event=f"services.request_event:{event.pk}")
    assert told.count() == len({n.user_id for n in told}) >= 2
