"""Two organisations claiming the same wish at the same moment, on PostgreSQL with threads."""

from __future__ import annotations

import pytest

from tests.concurrency import run_together
from tests.wishes.conftest import future
from wishes import actions
from wishes.models import Claim, Wish, WishEvent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_organisations_claiming_at_once_are_both_recorded_once(
    postgres, make_wish, organisation, alliance_contact, other_organisation, other_contact, staff
):
    wish = make_wish(Wish.Status.PUBLISHED)
    Claim.objects.all().delete()
    errors = run_together(
        lambda: actions.claim_wish(
            wish=wish, organisation=organisation, by=alliance_contact, promised_on=future()
        ),
        lambda: actions.claim_wish(
            wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
        ),
    ).errors
    assert errors == []
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED
    assert sorted(Claim.objects.filter(wish=wish).values_list("organisation", flat=True)) == sorted(
        [organisation.pk, other_organisation.pk]
    )
    assert WishEvent.objects.filter(wish=wish, kind="claimed").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_organisation_claiming_twice_at_once_is_recorded_once(
    postgres, make_wish, organisation, alliance_contact, staff
):
    wish = make_wish(Wish.Status.PUBLISHED)
    claim = lambda: actions.claim_wish(  # noqa: E731
        wish=wish, organisation=organisation, by=alliance_contact, promised_on=future()
    )
    errors = run_together(claim, claim, claim).errors
    assert len(errors) == 2
    assert all(getattr(e, "code", "") == "already_claimed" for e in errors)
    assert Claim.objects.filter(wish=wish).count() == 1
    assert WishEvent.objects.filter(wish=wish, kind="claimed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_withdraw_racing_a_claim_lets_exactly_one_win(
    postgres, make_wish, organisation, alliance_contact, member_user
):
    wish = make_wish(Wish.Status.PUBLISHED)
    errors = run_together(
        lambda: actions.claim_wish(
            wish=wish, organisation=organisation, by=alliance_contact, promised_on=future()
        ),
        lambda: actions.withdraw_wish(wish=wish, by=member_user),
    ).errors
    assert len(errors) == 1
    wish.refresh_from_db()
    claims = Claim.objects.filter(wish=wish).count()
    assert (wish.status, claims) in {(Wish.Status.CLAIMED, 1), (Wish.Status.WITHDRAWN, 0)}
