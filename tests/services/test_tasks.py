"""The tasks are thin and idempotent: run twice, one effect."""

from __future__ import annotations

import pytest
from django.core import mail

from members import page_cache
from members.notices.models import Delivery
from members.notices.tasks import send_notice
from services import actions
from tests.services.conftest import make_activity, member_with_login

pytestmark = pytest.mark.django_db


def test_a_promotion_writes_one_notice_however_often_it_is_delivered(organisation):
    activity = make_activity(organisation=organisation, capacity=1)
    first, second = member_with_login(), member_with_login()
    signup = actions.sign_up(activity=activity, member=first)
    actions.sign_up(activity=activity, member=second)
    actions.cancel_sign_up(signup=signup, by=first.user)
    [row] = Delivery.objects.filter(notice__user=second.user)

    assert (send_notice(row.pk), send_notice(row.pk)) == ("sent", None)
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
    # Besides the public pages' version, moved once more on commit (members.page_cache).
    assert len([c for c in callbacks if c is not page_cache.PAGES.move_on_commit]) == 1
    assert mail.outbox[0].to == [second.user.email]
