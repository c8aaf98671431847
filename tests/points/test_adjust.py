"""adjust: staff corrections are new signed entries with a required reason."""

import pytest
from django.core.exceptions import ValidationError

from points import actions
from points.models import Account, Entry
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


def test_an_adjustment_is_a_new_entry(staff):
    member = funded_member(20)

    entry = actions.adjust(member=member, amount=-5, reason="重复登记", by=staff)

    assert (entry.kind, entry.amount, entry.created_by) == ("adjust", -5, staff)
    assert Account.objects.get(member=member).balance == 15
    assert Entry.objects.count() == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_adjustment_without_reason_is_refused(staff, reason):
    member = funded_member(20)
    with pytest.raises(ValidationError) as excinfo:
        actions.adjust(member=member, amount=5, reason=reason, by=staff)
    assert excinfo.value.code == "reason_required"
    assert Entry.objects.count() == 1


def test_a_zero_adjustment_is_refused(staff):
    with pytest.raises(ValidationError):
        actions.adjust(member=funded_member(20), amount=0, reason="x", by=staff)


def test_an_adjustment_never_takes_the_balance_below_zero(staff):
    member = funded_member(20)
    with pytest.raises(ValidationError) as excinfo:
        actions.adjust(member=member, amount=-21, reason="x", by=staff)
    assert excinfo.value.code == "negative_balance"
    assert Account.objects.get(member=member).balance == 20


def test_the_same_key_adjusts_once(staff):
    member = funded_member(20)
    first = actions.adjust(member=member, amount=3, reason="x", by=staff, idempotency_key="a")
    again = actions.adjust(member=member, amount=3, reason="x", by=staff, idempotency_key="a")
    assert first.pk == again.pk
    assert Account.objects.get(member=member).balance == 23
