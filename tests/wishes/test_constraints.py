"""The database refuses what must never be true, even past the forms and actions."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.wishes.conftest import future
from wishes.models import Claim, Wish


def test_text_over_500_characters_is_refused_by_the_database(member_user, category):
    with pytest.raises(IntegrityError, match="wishes_wish_text_max_500"), transaction.atomic():
        Wish.objects.create(wisher=member_user, category=category, title="t", text="愿" * 501)
    Wish.objects.create(wisher=member_user, category=category, title="t", text="愿" * 500)


def test_an_empty_title_is_refused_by_the_database(member_user, category):
    with pytest.raises(IntegrityError, match="wishes_wish_title_not_empty"), transaction.atomic():
        Wish.objects.create(wisher=member_user, category=category, title="", text="x")


def test_a_rejection_needs_a_reason(member_user, category):
    refused = pytest.raises(IntegrityError, match="wishes_wish_rejection_has_reason")
    with refused, transaction.atomic():
        Wish.objects.create(
            wisher=member_user, category=category, title="t", text="x", status="rejected"
        )


def test_one_live_claim_per_organisation(make_wish, organisation, alliance_contact):
    wish = make_wish(Wish.Status.CLAIMED)
    # PostgreSQL names the constraint; SQLite names the columns of the partial unique index.
    named = "wishes_claim_one_active_per_organisation|wishes_claim.wish_id, wishes_claim.organ"
    with pytest.raises(IntegrityError, match=named), transaction.atomic():
        Claim.objects.create(
            wish=wish, organisation=organisation, promised_on=future(), claimed_by=alliance_contact
        )
