"""The tasks are thin and idempotent: run twice, one effect."""

from __future__ import annotations

import pytest
from django.core import mail

from services import actions, tasks
from tests.services.conftest import make_activity, member_with_login

pytestmark = pytest.mark.django_db


def test_the_request_notice_task_sends_once(service, organisation, staff, member_user):
    request = actions.request_service(service=service, requester=member_user, details="联谊")
    event = actions.dispatch_request(request=request, organisation=organisation, by=staff)
    event = request.events.get(kind="dispatched")

    assert tasks.send_request_notice(event.pk) >= 1
    count = len(mail.outbox)
    assert tasks.send_request_notice(event.pk) == 0
    assert len(mail.outbox) == count


def test_a_notice_for_a_vanished_event_is_a_quiet_no_op():
    assert tasks.send_request_notice(987654) == 0


def test_the_promotion_notice_task_sends_once(organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    first, second = member_with_login(), member_with_login()
    signup = actions.sign_up(activity=activity, member=first)
    actions.sign_up(activity=activity, member=second)
    actions.cancel_sign_up(signup=signup, by=first.user)
    promoted = activity.signups.get(member=second)

    assert (tasks.send_promotion_notice(promoted.pk), tasks.send_promotion_notice(promoted.pk)) == (
        1,
        0,
    )
    assert len(mail.outbox) == 1


@pytest.fixture
def eager_tasks():
    """Run enqueued tasks in-process even when CI points Celery at a real Redis broker."""
    from deqing_hub.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_a_promotion_is_enqueued_after_commit(
    organisation, django_capture_on_commit_callbacks, eager_tasks
):
    activity = make_activity(organisation=organisation, capacity=1)
    first, second = member_with_login(), member_with_login()
    signup = actions.sign_up(activity=activity, member=first)
    actions.sign_up(activity=activity, member=second)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.cancel_sign_up(signup=signup, by=first.user)
    assert len(callbacks) == 1
    assert mail.outbox[0].to == [second.user.email]
