"""The staff admin: ledgers read-only, adjustments with a reason, stock movements, Excel export."""

import pytest
from django.utils import translation

from points import actions, reconciliation
from points.models import Account, Entry, Stock, StockMovement, Voucher
from points.sheets import EntryResource
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(member, point, coffee):
    voucher = actions.redeem(member=member, item=coffee, point=point, idempotency_key="k")
    reconciliation.reconcile()
    return voucher


@pytest.mark.parametrize(
    "model",
    [
        "policy",
        "account",
        "entry",
        "exchangepoint",
        "item",
        "stock",
        "stockmovement",
        "voucher",
        "reconciliationrun",
    ],
)
def test_every_changelist_and_search_loads(client, staff, history, model):
    client.force_login(staff)
    assert client.get(f"/admin/points/{model}/").status_code == 200
    assert client.get(f"/admin/points/{model}/", {"q": "咖啡"}).status_code == 200


def test_the_ledger_cannot_be_edited_in_the_admin(client, staff, history):
    client.force_login(staff)
    entry = Entry.objects.first()

    assert client.get("/admin/points/entry/add/").status_code == 403
    assert client.post(f"/admin/points/entry/{entry.pk}/delete/").status_code == 403
    client.post(f"/admin/points/entry/{entry.pk}/change/", {"amount": 999})
    assert Entry.objects.get(pk=entry.pk).amount == entry.amount


def test_an_adjustment_needs_a_reason(client, staff, member):
    client.force_login(staff)
    account = Account.objects.get(member=member)
    url = f"/admin/points/account/{account.pk}/adjust/"

    response = client.post(url, {"amount": "-30", "reason": "", "key": "a1"})

    assert response.status_code == 200
    assert "调整积分必须填写原因。" in response.content.decode()
    assert Entry.objects.filter(kind=Entry.Kind.ADJUST).count() == 0


def test_an_adjustment_with_reason_is_a_new_entry_once(client, staff, member):
    client.force_login(staff)
    account = Account.objects.get(member=member)
    url = f"/admin/points/account/{account.pk}/adjust/"
    page = client.get(url).content.decode()
    assert "当前余额 100 积分。调整会新增一条流水" in page
    assert 'value="保存调整"' in page

    for _ in range(2):  # a double submit of the same form
        response = client.post(url, {"amount": "-30", "reason": "重复登记", "key": "a1"})

    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).balance == 70
    entry = Entry.objects.get(kind=Entry.Kind.ADJUST)
    assert (entry.amount, entry.reason, entry.created_by) == (-30, "重复登记", staff)


def test_an_adjustment_below_zero_is_refused_in_chinese(client, staff, member):
    client.force_login(staff)
    account = Account.objects.get(member=member)
    response = client.post(
        f"/admin/points/account/{account.pk}/adjust/",
        {"amount": "-500", "reason": "x", "key": "a2"},
    )
    assert "当前余额 100 积分，调整后不能小于零。" in response.content.decode()


def test_staff_record_a_restock_and_a_write_off(client, staff, point, coffee):
    client.force_login(staff)
    stock = Stock.objects.get()
    url = f"/admin/points/stock/{stock.pk}/move/"
    page = client.get(url).content.decode()
    assert "当前库存 50 件。入库或报损会新增一条库存变动" in page
    assert 'value="保存库存变动"' in page

    restock = client.post(url, {"kind": "restock", "quantity": "5", "reason": "补货", "key": "r1"})
    too_many = client.post(
        url, {"kind": "write_off", "quantity": "500", "reason": "破损", "key": "w1"}
    )

    assert restock.status_code == 302
    assert "库存仅剩 55 件。" in too_many.content.decode()
    assert Stock.objects.get().quantity == 55
    assert StockMovement.objects.filter(kind="restock", created_by=staff).count() == 1


def test_the_voucher_admin_action_cancels_through_the_action(client, staff, history, member):
    client.force_login(staff)

    client.post(
        "/admin/points/voucher/",
        {"action": "cancel_selected", "_selected_action": [history.pk]},
    )

    assert Voucher.objects.get().status == Voucher.Status.CANCELLED
    assert Account.objects.get(member=member).balance == 100


def test_the_excel_export_has_chinese_headers_and_defuses_formulas(staff, point, coffee):
    someone = funded_member(0)
    actions.award(member=someone, amount=5, reason="=HYPERLINK(1)", source="s")
    with translation.override("zh-hans"):
        dataset = EntryResource().export()
        xlsx = dataset.export("xlsx")

    assert "原因" in dataset.headers and "积分" in dataset.headers
    assert dataset.dict[0]["原因"] == "'=HYPERLINK(1)"
    assert dataset.dict[0]["类型"] == "获得"
    assert xlsx[:2] == b"PK"


def test_the_export_page_loads(client, staff, history):
    client.force_login(staff)
    assert client.get("/admin/points/entry/export/").status_code == 200
