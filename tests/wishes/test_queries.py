"""Read queries for the dashboard and the ranking."""

from __future__ import annotations

import time_machine
from django.utils import timezone

from members.periods import month_bounds
from tests.wishes.conftest import future
from wishes import actions, queries
from wishes.models import Wish


def test_granted_counts_fulfilled_and_confirmed(make_wish):
    make_wish(Wish.Status.PUBLISHED, title="a")
    make_wish(Wish.Status.FULFILLED, title="b")
    make_wish(Wish.Status.CONFIRMED, title="c")
    assert queries.wishes_granted_count() == 2
    assert Wish.objects.public().count() == 3


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
    october, november = month_bounds(2026, 10), month_bounds(2026, 11)
    with django_assert_num_queries(1):
        fulfilled = queries.fulfilled_wish_ids_by_organisation(*october)
    assert fulfilled == {organisation.pk: [wish.pk], other_organisation.pk: [wish.pk]}
    assert queries.fulfilled_wish_ids_by_organisation(*november) == {}
    with django_assert_num_queries(1):
        confirmed = queries.confirmed_wish_ids_by_organisation(*november)
    assert confirmed == {organisation.pk: [wish.pk], other_organisation.pk: [wish.pk]}
    assert queries.confirmed_wish_ids_by_organisation(*october) == {}


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
    assert queries.fulfilled_wish_ids_by_organisation(*month_bounds(now.year, now.month)) == {
        other_organisation.pk: [wish.pk]
    }
