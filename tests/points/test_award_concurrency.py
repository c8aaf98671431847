"""Concurrent awards on PostgreSQL: one credit per source and the monthly cap hold under races."""

import pytest

from points import actions
from points.models import Account, Entry, Policy
from tests.concurrency import run_together
from tests.points.conftest import make_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_the_same_source_from_ten_threads_credits_once_and_opens_one_account(postgres):
    member = make_member()  # no account yet: every thread tries to open it

    race = run_together(
        *[
            lambda: actions.award(member=member, amount=15, reason="签到", source="activity:9")
            for _ in range(10)
        ]
    )

    assert race.refusals() == []
    assert len({e.pk for e in race.values}) == 1
    assert Account.objects.get(member=member).balance == 15
    assert Entry.objects.count() == 1


def test_the_monthly_cap_holds_when_ten_sources_race(postgres):
    policy = Policy.load()
    policy.default_monthly_cap = 30
    policy.save()
    member = make_member()

    race = run_together(
        *[
            lambda i=i: actions.award(member=member, amount=10, reason="r", source=f"s{i}")
            for i in range(10)
        ]
    )

    race.refusals()  # no crashes; the capped awards return None or are refused
    assert sum(1 for e in race.values if e is not None) == 3
    assert Account.objects.get(member=member).balance == 30


def test_bulk_award_racing_single_awards_credits_each_member_once(postgres):
    members = [make_member() for _ in range(5)]

    race = run_together(
        lambda: actions.bulk_award(
            members=members, amount=10, reason="r", source_prefix="activity:3"
        ),
        *[
            lambda m=m: actions.award(
                member=m, amount=10, reason="r", source=f"activity:3:member:{m.pk}"
            )
            for m in reversed(members)
        ],
    )

    race.refusals()  # re-raises a crash (a deadlock between the bulk and single awards)
    assert list(Account.objects.order_by("pk").values_list("balance", flat=True)) == [10] * 5
    assert Entry.objects.count() == 5
