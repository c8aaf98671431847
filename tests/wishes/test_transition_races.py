"""Racing transitions on PostgreSQL: exactly one wins, the other is told, nothing half-done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.concurrency import run_together
from wishes import actions
from wishes.models import Wish, WishEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_confirm_racing_reopen(postgres, make_wish, member_user):
    wish = make_wish(Wish.Status.FULFILLED)
    errors = run_together(
        lambda: actions.confirm_wish(wish=wish, by=member_user),
        lambda: actions.reopen_wish(wish=wish, by=member_user, reason="还没好"),
    ).errors
    assert len(errors) == 1 and errors[0].code == "stale"
    wish.refresh_from_db()
    decided = wish.events.filter(kind__in=["confirmed", "reopened"])
    kinds = list(decided.values_list("kind", flat=True))
    assert (wish.status, kinds) in [
        (Wish.Status.CONFIRMED, ["confirmed"]),
        (Wish.Status.IN_PROGRESS, ["reopened"]),
    ]


def test_auto_confirmation_racing_the_wisher_confirms_once(postgres, make_wish, member_user):
    wish = make_wish(Wish.Status.FULFILLED)
    Wish.objects.filter(pk=wish.pk).update(fulfilled_at=timezone.now() - timedelta(days=60))
    run_together(
        lambda: actions.confirm_wish(wish=wish, by=member_user),
        lambda: actions.auto_confirm_wish(wish_id=wish.pk),
    )
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CONFIRMED
    kinds = [WishEvent.Kind.CONFIRMED, WishEvent.Kind.AUTO_CONFIRMED]
    assert wish.events.filter(kind__in=kinds).count() == 1


def test_two_claimers_reporting_fulfilment_at_once(
    postgres, make_wish, organisation, alliance_contact, other_organisation, other_contact
):
    from tests.wishes.conftest import future

    wish = make_wish(Wish.Status.CLAIMED)
    actions.claim_wish(
        wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
    )
    errors = run_together(
        lambda: actions.fulfil_wish(
            wish=wish, organisation=organisation, by=alliance_contact, evidence="甲"
        ),
        lambda: actions.fulfil_wish(
            wish=wish, organisation=other_organisation, by=other_contact, evidence="乙"
        ),
    ).errors
    assert len(errors) == 1
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED and wish.evidence in {"甲", "乙"}
    assert wish.events.filter(kind="fulfilled").count() == 1
