"""Read queries for the dashboard and the ranking."""

from __future__ import annotations

import time_machine
from django.utils import timezone

from tests.wishes.conftest import future
from wishes import actions, queries
from wishes.models import Wish


def test_granted_counts_fulfilled_and_confirmed(make_wish):
    make_wish(Wish.Status.PUBLISHED, title="a")
    make_wish(Wish.Status.FULFILLED, title="b")
    make_wish(Wish.Status.CONFIRMED, title="c")
    assert queries.wishes_granted_count() == 2
    assert queries.wishes_published_count() == 3


def test_per_organisation_per_month_counts_every_granting_claimer(
    make_wish,
    organisation,
    other_organisation,
    other_contact,
    member_user,
    django_assert_num_queries,
):
    with time_machine.travel(
        timezone.datetime(2026, 10, 10, 10, tzinfo=timezone.get_current_timezone())
    ):
        wish = make_wish(Wish.Status.CLAIMED)
        actions.claim_wish(
            wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
        )
        actions.fulfil_wish(
            wish=wish, organisation=other_organisation, by=other_contact, evidence="合力完成"
        )
    with time_machine.travel(
        timezone.datetime(2026, 11, 2, 10, tzinfo=timezone.get_current_timezone())
    ):
        actions.confirm_wish(wish=wish, by=member_user)
    with django_assert_num_queries(1):
        fulfilled = queries.fulfilled_per_organisation(2026, 10)
    assert fulfilled == {organisation.pk: 1, other_organisation.pk: 1}
    assert queries.fulfilled_per_organisation(2026, 11) == {}
    assert queries.confirmed_per_organisation(2026, 11) == {
        organisation.pk: 1,
        other_organisation.pk: 1,
    }
    with django_assert_num_queries(1):
        by_month = queries.fulfilled_per_organisation_per_month(2026)
    assert by_month == {(organisation.pk, 10): 1, (other_organisation.pk, 10): 1}
    assert queries.confirmed_per_organisation_per_month(2026) == {
        (organisation.pk, 11): 1,
        (other_organisation.pk, 11): 1,
    }


def test_a_released_claim_does_not_count(
    make_wish, organisation, alliance_contact, other_organisation, other_contact
):
    wish = make_wish(Wish.Status.CLAIMED)
    actions.claim_wish(
        wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
    )
    actions.release_claim(
        claim=wish.claims.get(organisation=organisation), by=alliance_contact, reason="退出"
    )
    actions.fulfil_wish(
        wish=wish, organisation=other_organisation, by=other_contact, evidence="完成"
    )
    now = timezone.localtime()
    assert queries.fulfilled_per_organisation(now.year, now.month) == {other_organisation.pk: 1}
