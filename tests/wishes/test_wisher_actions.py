"""confirm_wish, reopen_wish, withdraw_wish and auto-confirmation: the wisher decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wishes import actions, tasks
from wishes.models import Wish


def test_the_wisher_confirms_and_the_claimers_are_thanked(
    make_wish, member_user, alliance_contact, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.FULFILLED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        wish = actions.confirm_wish(wish=wish, by=member_user)
    assert wish.status == Wish.Status.CONFIRMED and wish.confirmed_at and not wish.auto_confirmed
    assert mail.outbox[0].to == [alliance_contact.email]
    # Confirming again is a no-op.
    assert actions.confirm_wish(wish=wish, by=member_user).status == Wish.Status.CONFIRMED
    assert wish.events.filter(kind="confirmed").count() == 1


@pytest.mark.parametrize("who", ["staff", "alliance_contact", "public_user"])
def test_nobody_but_the_wisher_may_confirm_or_reopen(make_wish, request, who):
    wish = make_wish(Wish.Status.FULFILLED)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied) as caught:
        actions.confirm_wish(wish=wish, by=user)
    assert "只有心愿发布人" in str(caught.value)
    with pytest.raises(PermissionDenied):
        actions.reopen_wish(wish=wish, by=user, reason="x")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED


def test_confirming_before_fulfilment_is_refused(make_wish, member_user):
    with pytest.raises(ValidationError):
        actions.confirm_wish(wish=make_wish(Wish.Status.CLAIMED), by=member_user)


def test_reopen_needs_a_reason_and_tells_the_claimers(
    make_wish, member_user, alliance_contact, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.FULFILLED)
    with pytest.raises(ValidationError):
        actions.reopen_wish(wish=wish, by=member_user, reason="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        wish = actions.reopen_wish(wish=wish, by=member_user, reason="高铁站还没通车")
    assert wish.status == Wish.Status.IN_PROGRESS
    assert wish.reopen_count == 1 and wish.fulfilled_at is None
    assert mail.outbox[0].to == [alliance_contact.email]
    assert "高铁站还没通车" in mail.outbox[0].body
    assert member_user.email not in mail.outbox[0].body


def test_the_wisher_may_withdraw_before_a_claim(make_wish, member_user):
    for status in (Wish.Status.SUBMITTED, Wish.Status.PUBLISHED):
        wish = make_wish(status, title=f"撤回{status}")
        wish = actions.withdraw_wish(wish=wish, by=member_user)
        assert wish.status == Wish.Status.WITHDRAWN


def test_withdrawing_after_a_claim_is_refused(make_wish, member_user):
    wish = make_wish(Wish.Status.CLAIMED)
    with pytest.raises(ValidationError) as caught:
        actions.withdraw_wish(wish=wish, by=member_user)
    assert caught.value.code == "already_claimed"


def test_nobody_else_may_withdraw(make_wish, staff, public_user):
    wish = make_wish(Wish.Status.PUBLISHED)
    for user in (staff, public_user):
        with pytest.raises(PermissionDenied):
            actions.withdraw_wish(wish=wish, by=user)


def test_auto_confirmation_after_the_configured_silence_runs_once(make_wish, settings):
    settings.WISHES_AUTO_CONFIRM_DAYS = 14
    wish = make_wish(Wish.Status.FULFILLED)
    assert tasks.auto_confirm_fulfilled_wishes.delay().get() == 0  # too early
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert tasks.auto_confirm_fulfilled_wishes.delay().get() == 1
        assert tasks.auto_confirm_fulfilled_wishes.delay().get() == 0  # run twice, one effect
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CONFIRMED and wish.auto_confirmed
    assert wish.events.filter(kind="auto_confirmed").count() == 1


def test_a_reopened_wish_is_not_auto_confirmed(make_wish, member_user, settings):
    settings.WISHES_AUTO_CONFIRM_DAYS = 1
    wish = make_wish(Wish.Status.FULFILLED)
    actions.reopen_wish(wish=wish, by=member_user, reason="没办好")
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        assert tasks.auto_confirm_fulfilled_wishes.delay().get() == 0
