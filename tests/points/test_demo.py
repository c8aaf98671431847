"""points.demo.seed: three exchange points, 60+ cinema tickets and 200 coffees, idempotent."""

import pytest

from members.models import Branch, Member
from points import demo, queries, reconciliation
from points.models import Entry, ExchangePoint, StockMovement, Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    branch = Branch.objects.create(name="党群服务中心党支部", kind=Branch.Kind.CENTRE)
    return [
        Member.objects.create(name=f"党员{i}", gender=Member.Gender.MALE, branch=branch)
        for i in range(60)
    ]


def test_seed_reproduces_the_articles_figures_and_balances(members):
    summary = demo.seed()

    assert ExchangePoint.objects.count() == 3
    assert all(p.operators.exists() for p in ExchangePoint.objects.all())
    counts = queries.redeemed_item_counts()
    assert counts["cinema_ticket"] >= 60
    assert counts["coffee"] == 200
    assert "200 coffees" in summary
    assert reconciliation.reconcile().is_clean
    assert Voucher.objects.filter(status=Voucher.Status.ISSUED).count() == 0


def test_seed_twice_changes_nothing(members):
    demo.seed()
    before = (Entry.objects.count(), StockMovement.objects.count(), Voucher.objects.count())

    demo.seed()

    after = (Entry.objects.count(), StockMovement.objects.count(), Voucher.objects.count())
    assert after == before


def test_seed_without_members_creates_the_exchange_only(db):
    summary = demo.seed()
    assert ExchangePoint.objects.count() == 3
    assert not Entry.objects.exists()
    assert "no members" in summary
