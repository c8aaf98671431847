"""Stock in the admin: a restock or write-off through the stock's button, never by hand."""

import pytest
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from points.models import Stock, StockMovement
from tests.conftest import make_user
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import stock_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(point, coffee) -> Stock:
    return Stock.objects.get(point=point, item=coffee)


@pytest.fixture
def operator_role(operator):
    """The point's operator with the operator role and admin access."""
    roles.setup_roles()
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    operator.groups.add(roles.group_of(roles.EXCHANGE_POINT_OPERATOR))
    return operator


def _move_url(stock: Stock) -> str:
    return reverse("admin:points_stock_move", args=[stock.pk])


def test_a_double_submitted_restock_counts_once(client, staff, stock):
    client.force_login(staff)
    form = {"kind": "restock", "quantity": "7", "reason": "新到一批", "key": "same-form"}

    first = client.post(_move_url(stock), form)
    second = client.post(_move_url(stock), form)

    assert (first.status_code, second.status_code) == (302, 302)
    stock.refresh_from_db()
    assert stock.quantity == 57
    movement = StockMovement.objects.get(kind="restock", reason="新到一批")
    assert (movement.quantity, movement.created_by) == (7, staff)


def test_a_write_off_goes_through_the_action_and_needs_a_reason(client, staff, stock):
    client.force_login(staff)

    no_reason = client.post(
        _move_url(stock), {"kind": "write_off", "quantity": "2", "reason": "", "key": "a"}
    )
    written_off = client.post(
        _move_url(stock), {"kind": "write_off", "quantity": "2", "reason": "破损", "key": "b"}
    )

    assert "库存变动必须填写原因。" in no_reason.content.decode()
    assert written_off.status_code == 302
    stock.refresh_from_db()
    assert stock.quantity == 48
    assert StockMovement.objects.get(kind="write_off").quantity == -2


def test_the_stock_page_offers_the_button_and_nothing_to_edit(client, staff, stock):
    client.force_login(staff)
    page = client.get(reverse("admin:points_stock_change", args=[stock.pk])).content.decode()
    assert _move_url(stock) in page
    assert 'name="_save"' not in page  # the quantity is never typed over


def test_the_stock_movement_ledger_has_no_add_page(client, staff, stock):
    client.force_login(staff)
    assert client.get(reverse("admin:points_stockmovement_add")).status_code == 403


def test_an_operator_sees_their_stock_but_cannot_move_it(client, operator_role, stock):
    client.force_login(operator_role)

    page = client.get(reverse("admin:points_stock_change", args=[stock.pk]))
    refused = client.post(
        _move_url(stock), {"kind": "write_off", "quantity": "1", "reason": "x", "key": "k"}
    )

    assert page.status_code == 200 and _move_url(stock) not in page.content.decode()
    assert refused.status_code == 403
    stock.refresh_from_db()
    assert stock.quantity == 50


def test_another_points_stock_is_404_and_recorded(client, operator_role, stock):
    elsewhere = ExchangePointFactory(name="服务大厅兑换点")
    stock_up(elsewhere, ItemFactory(name="电影票", price=50), 3)
    foreign = Stock.objects.get(point=elsewhere)
    client.force_login(operator_role)

    assert client.get(_move_url(foreign)).status_code == 404

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.object_id, event.user) == (str(foreign.pk), operator_role)


def test_the_point_filter_offers_only_the_operators_points(client, operator_role, stock):
    ExchangePointFactory(name="服务大厅兑换点")
    client.force_login(operator_role)
    page = client.get(reverse("admin:points_stock_changelist")).content.decode()
    assert "红盟书吧兑换点" in page
    assert "服务大厅兑换点" not in page


def test_a_new_operator_without_the_role_sees_no_stock(client, stock):
    plain = make_user(email="x@example.cn", phone="13600000009", staff=True)
    client.force_login(plain)
    assert client.get(reverse("admin:points_stock_changelist")).status_code == 403


def test_staff_add_an_empty_pair_once(client, staff, point):
    item = ItemFactory(name="纪念徽章", price=5)
    client.force_login(staff)
    url = reverse("admin:points_stock_add")

    first = client.post(url, {"point": point.pk, "item": item.pk})
    again = client.post(url, {"point": point.pk, "item": item.pk, "quantity": "99"})

    assert first.status_code == 302
    assert again.status_code == 200  # the pair exists: the form says so
    stock = Stock.objects.get(point=point, item=item)
    assert stock.quantity == 0  # a typed quantity is ignored: only movements fill a stock
