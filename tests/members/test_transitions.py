"""The one transition helper: a conditional UPDATE whose row count decides what happens.

Given a member row (any model with a status field and `updated_at` does), when a step moves
it from an allowed state, from a state not allowed, or to where it already is.
"""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.utils.translation import gettext_lazy

from members.models import Member
from members.refusals import STALE, Refused
from members.transitions import transition

pytestmark = pytest.mark.django_db

Status = Member.Status
REFUSAL = gettext_lazy("This member is now %(status)s.")


def test_a_row_in_an_allowed_state_moves_and_is_re_read(member):
    member.refresh_from_db()
    stamped = member.updated_at
    old = member.status
    new = Status.FULL if old == Status.PROBATIONARY else Status.PROBATIONARY

    assert transition(member, allowed=[old], to=new, refusal=REFUSAL) is True

    assert member.status == new  # re-read from the row
    assert Member.objects.get(pk=member.pk).status == new
    assert member.updated_at > stamped  # `updated_at` moves with the status


def test_a_row_not_in_an_allowed_state_is_refused_with_the_one_code(member):
    other = Status.FULL if member.status == Status.PROBATIONARY else Status.PROBATIONARY
    Member.objects.filter(pk=member.pk).update(status=other)  # someone else moved it first

    with pytest.raises(Refused) as refused:
        transition(member, allowed=[member.status], to=member.status, refusal=REFUSAL)

    assert refused.value.code == STALE == "stale"
    # The message names the state the row is in now, in the portal's language.
    assert refused.value.messages == [REFUSAL % {"status": Member.Status(other).label}]
    assert Member.objects.get(pk=member.pk).status == other


def test_repeating_a_step_that_allows_it_changes_nothing(member):
    start = member.status
    target = Status.FULL if start == Status.PROBATIONARY else Status.PROBATIONARY
    transition(member, allowed=[start], to=target, refusal=REFUSAL)
    stamped = Member.objects.get(pk=member.pk).updated_at

    again = transition(member, allowed=[start], to=target, repeat_ok=True, refusal=REFUSAL)

    assert again is False
    assert Member.objects.get(pk=member.pk).updated_at == stamped


def test_a_claim_without_a_refusal_reports_that_another_won(member):
    """No refusal given: the caller learns it did not move the row and decides itself."""
    start = member.status
    target = Status.FULL if start == Status.PROBATIONARY else Status.PROBATIONARY

    lost = transition(member, allowed=[start], to=target, when=Q(pk=-1))

    assert lost is False
    assert Member.objects.get(pk=member.pk).status == start
