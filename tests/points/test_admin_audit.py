"""Balances, stock and vouchers staff change in the admin leave one audit record per row with
before and after values (the actions move them with .update(), which sends no save signal);
the same steps taken by a member are no admin change."""

import pytest

from members.audit import AuditEvent
from points import actions
from points.models import Account, Entry, Stock, StockMovement, Voucher

pytestmark = pytest.mark.django_db
CHANGE = AuditEvent.Kind.ADMIN_CHANGE


def _records(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            kind=CHANGE, object_id=str(obj.pk), content_type__model=obj._meta.model_name
        )
    )


def test_an_adjustment_records_the_balance_and_the_entry(client, staff, member):
    account = Account.objects.get(member=member)
    client.force_login(staff)

    client.post(
        f"/admin/points/account/{account.pk}/adjust/",
        {"amount": "-30", "reason": "重复登记", "key": "a1"},
    )

    (record,) = _records(account)
    assert record.user == staff and record.details["action"] == Entry.Kind.ADJUST
    assert record.details["changes"] == {"balance": {"before": 100, "after": 70}}
    entry = Entry.objects.get(kind=Entry.Kind.ADJUST)
    assert record.details["entry"] == entry.pk
    assert len(_records(entry)) == 1  # the new entry, recorded as it is saved


def test_a_restock_records_the_quantity(client, staff, point, coffee):
    stock = Stock.objects.get(point=point, item=coffee)
    client.force_login(staff)

    client.post(
        f"/admin/points/stock/{stock.pk}/move/",
        {"kind": "restock", "quantity": "5", "reason": "补货", "key": "r1"},
    )

    (record,) = _records(stock)
    assert record.details["action"] == StockMovement.Kind.RESTOCK
    assert record.details["changes"] == {"quantity": {"before": 50, "after": 55}}


def test_a_voucher_cancelled_in_the_admin_records_voucher_balance_and_stock(
    client, staff, member, point, coffee
):
    voucher = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")
    assert not AuditEvent.objects.filter(kind=CHANGE).exists()  # a member's own redemption
    client.force_login(staff)

    client.post(
        "/admin/points/voucher/",
        {"action": "cancel_selected", "_selected_action": [voucher.pk]},
    )

    voucher.refresh_from_db()
    (record,) = _records(voucher)
    assert record.user == staff and record.details["action"] == "voucher_cancelled"
    assert record.details["changes"]["status"] == {"before": "issued", "after": "cancelled"}
    assert record.details["changes"]["closed_at"]["before"] is None
    (balance,) = _records(Account.objects.get(member=member))
    assert balance.details["changes"]["balance"] == {"before": 90, "after": 100}
    (stock,) = _records(Stock.objects.get(point=point, item=coffee))
    assert stock.details["changes"]["quantity"] == {"before": 49, "after": 50}
    # Cancelling again is a no-op: nothing new.
    count = AuditEvent.objects.filter(kind=CHANGE).count()
    client.post(
        "/admin/points/voucher/",
        {"action": "cancel_selected", "_selected_action": [voucher.pk]},
    )
    assert AuditEvent.objects.filter(kind=CHANGE).count() == count
    assert Voucher.objects.get().status == Voucher.Status.CANCELLED
