"""claim_wish and release_claim: who may, on which wishes, once per organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.wishes.conftest import future
from wishes import actions
from wishes.models import Claim, Wish


def test_a_contact_claims_a_published_wish_and_the_wisher_is_told(
    make_wish, organisation, alliance_contact, member_user, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.PUBLISHED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        claim = actions.claim_wish(
            wish=wish, organisation=organisation, by=alliance_contact, promised_on=future(10)
        )
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED and claim.is_active
    assert mail.outbox[0].to == [member_user.email]
    assert "县运管局" in mail.outbox[0].subject
    assert "年" in mail.outbox[0].body  # the promised date, as 2026年12月6日


def test_two_organisations_may_claim_together(
    make_wish, other_organisation, other_contact, organisation
):
    wish = make_wish(Wish.Status.CLAIMED)
    actions.claim_wish(
        wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
    )
    assert set(wish.claims.active().values_list("organisation", flat=True)) == {
        organisation.pk,
        other_organisation.pk,
    }


def test_a_second_claim_by_the_same_organisation_is_refused(
    make_wish, organisation, alliance_contact
):
    wish = make_wish(Wish.Status.CLAIMED)
    with pytest.raises(ValidationError) as caught:
        actions.claim_wish(
            wish=wish, organisation=organisation, by=alliance_contact, promised_on=future()
        )
    assert caught.value.code == "already_claimed"
    assert Claim.objects.filter(wish=wish).count() == 1


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn", "fulfilled", "confirmed"])
def test_claims_on_wishes_not_on_the_wall_are_refused(
    make_wish, status, other_organisation, other_contact
):
    wish = make_wish(status)
    with pytest.raises(ValidationError) as caught:
        actions.claim_wish(
            wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
        )
    assert caught.value.code == "not_open"
    assert not Claim.objects.filter(organisation=other_organisation).exists()


def test_only_the_organisations_contacts_may_claim_for_it(
    make_wish, organisation, other_contact, member_user
):
    wish = make_wish(Wish.Status.PUBLISHED)
    for user in (other_contact, member_user):
        with pytest.raises(PermissionDenied):
            actions.claim_wish(wish=wish, organisation=organisation, by=user, promised_on=future())
    assert not Claim.objects.exists()


def test_staff_may_record_a_claim_on_behalf_of_an_organisation(make_wish, organisation, staff):
    wish = make_wish(Wish.Status.PUBLISHED)
    actions.claim_wish(wish=wish, organisation=organisation, by=staff, promised_on=future())
    assert wish.claims.count() == 1


def test_a_promised_date_in_the_past_is_refused(make_wish, organisation, alliance_contact):
    wish = make_wish(Wish.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        actions.claim_wish(
            wish=wish,
            organisation=organisation,
            by=alliance_contact,
            promised_on=timezone.localdate() - timedelta(days=1),
        )


def test_an_inactive_organisation_cannot_claim(make_wish, organisation, staff):
    organisation.is_active = False
    organisation.save()
    with pytest.raises(ValidationError):
        actions.claim_wish(
            wish=make_wish(Wish.Status.PUBLISHED),
            organisation=organisation,
            by=staff,
            promised_on=future(),
        )


def test_releasing_the_last_claim_returns_the_wish_to_the_wall(
    make_wish, alliance_contact, member_user, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    claim = wish.claims.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.release_claim(claim=claim, by=alliance_contact, reason="资源不足")
    wish.refresh_from_db()
    claim.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED
    assert not claim.is_active and claim.release_reason == "资源不足"
    assert mail.outbox[0].to == [member_user.email] and "重新上墙" in mail.outbox[0].body
    # Released again: nothing changes.
    actions.release_claim(claim=claim, by=alliance_contact, reason="再次")
    assert wish.events.filter(kind="released").count() == 1


def test_releasing_one_of_two_claims_keeps_the_wish_claimed(
    make_wish, other_organisation, other_contact
):
    wish = make_wish(Wish.Status.CLAIMED)
    other = actions.claim_wish(
        wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
    )
    actions.release_claim(claim=other, by=other_contact, reason="合并办理")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED


def test_a_released_organisation_may_claim_again(make_wish, organisation, alliance_contact):
    wish = make_wish(Wish.Status.CLAIMED)
    actions.release_claim(claim=wish.claims.get(), by=alliance_contact, reason="调整")
    actions.claim_wish(
        wish=wish, organisation=organisation, by=alliance_contact, promised_on=future()
    )
    assert wish.claims.count() == 2 and wish.claims.active().count() == 1


def test_release_needs_a_reason_and_the_right_contact(make_wish, other_contact, alliance_contact):
    wish = make_wish(Wish.Status.CLAIMED)
    claim = wish.claims.get()
    with pytest.raises(PermissionDenied):
        actions.release_claim(claim=claim, by=other_contact, reason="不是我的")
    with pytest.raises(ValidationError):
        actions.release_claim(claim=claim, by=alliance_contact, reason="")
    claim.refresh_from_db()
    assert claim.is_active


def test_a_fulfilled_wish_cannot_be_released(make_wish, alliance_contact):
    wish = make_wish(Wish.Status.FULFILLED)
    with pytest.raises(ValidationError):
        actions.release_claim(claim=wish.claims.get(), by=alliance_contact, reason="算了")
