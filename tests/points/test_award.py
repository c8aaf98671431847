"""award and bulk_award: once per source, positive amounts only, monthly caps."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from points import actions
from points.models import Account, Entry, Policy
from tests.points.conftest import make_member

pytestmark = pytest.mark.django_db


def test_award_creates_the_account_and_credits_the_balance():
    member = make_member()

    entry = actions.award(member=member, amount=20, reason="志愿服务", source="activity:1")

    account = Account.objects.get(member=member)
    assert account.balance == 20
    assert entry.kind == Entry.Kind.EARN
    assert entry.amount == 20


def test_the_same_source_twice_credits_once():
    member = make_member()
    first = actions.award(member=member, amount=20, reason="志愿服务", source="activity:1")

    second = actions.award(member=member, amount=20, reason="志愿服务", source="activity:1")

    assert second.pk == first.pk
    assert Account.objects.get(member=member).balance == 20
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("amount", [0, -5, 2.5, True])
def test_a_zero_negative_or_odd_award_is_refused_and_nothing_written(amount):
    member = make_member()

    with pytest.raises(ValidationError) as excinfo:
        actions.award(member=member, amount=amount, reason="志愿服务", source="activity:1")

    assert excinfo.value.code == "not_positive"
    assert not Entry.objects.exists()
    assert not Account.objects.exists()


def test_an_award_without_reason_or_source_is_refused():
    member = make_member()
    with pytest.raises(ValidationError):
        actions.award(member=member, amount=5, reason="  ", source="activity:1")
    with pytest.raises(ValidationError):
        actions.award(member=member, amount=5, reason="x", source="")
    assert not Entry.objects.exists()


def test_the_monthly_cap_credits_only_what_remains():
    policy = Policy.load()
    policy.default_monthly_cap = 50
    policy.save()
    member = make_member()
    november = timezone.make_aware(datetime(2026, 11, 3, 10))

    actions.award(member=member, amount=40, reason="a", source="s1", at=november)
    partial = actions.award(member=member, amount=40, reason="b", source="s2", at=november)
    nothing = actions.award(member=member, amount=40, reason="c", source="s3", at=november)
    december = actions.award(
        member=member, amount=40, reason="d", source="s4", at=november.replace(month=12)
    )

    assert partial.amount == 10
    assert nothing is None
    assert december.amount == 40
    assert Account.objects.get(member=member).balance == 90


def test_a_members_own_cap_overrides_the_policy():
    member = make_member()
    actions.award(member=member, amount=5, reason="a", source="s1")
    Account.objects.filter(member=member).update(monthly_cap=8)

    entry = actions.award(member=member, amount=5, reason="b", source="s2")

    assert entry.amount == 3


def test_bulk_award_credits_each_member_once_even_when_repeated():
    members = [make_member() for _ in range(4)]

    call = {"amount": 15, "reason": "活动签到", "source_prefix": "activity:7"}
    first = actions.bulk_award(members=members, **call)
    again = actions.bulk_award(members=members, **call)

    assert [e.pk for e in first] == [e.pk for e in again]
    assert {e.source for e in first} == {f"activity:7:member:{m.pk}" for m in members}
    assert list(Account.objects.values_list("balance", flat=True)) == [15, 15, 15, 15]
    assert Entry.objects.count() == 4


def test_bulk_award_respects_each_members_cap():
    capped, free = make_member(), make_member()
    actions.award(member=capped, amount=1, reason="a", source="s0")
    Account.objects.filter(member=capped).update(monthly_cap=1)

    entries = actions.bulk_award(members=[capped, free], amount=10, reason="r", source_prefix="a:1")

    assert [e.account.member for e in entries] == [free]
    assert Account.objects.get(member=capped).balance == 1
