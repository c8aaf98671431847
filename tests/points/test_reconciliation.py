"""Reconciliation: differences between cached figures and histories are reported, never fixed."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from members.notices.models import Notice
from points import actions, reconciliation, tasks
from points.models import Account, ReconciliationRun, Stock
from tests.notices.conftest import deliver_pending
from tests.points.conftest import funded_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(member, point, coffee, staff):
    """Some history: awards, a redemption, a cancellation."""
    other = funded_member(40)
    voucher = actions.redeem(member=other, item=coffee, point=point, idempotency_key="a")
    actions.redeem(member=member, item=coffee, point=point, idempotency_key="b")
    actions.cancel_voucher(voucher=voucher, by=staff)
    return member


def test_matching_books_give_a_clean_run(books, staff):
    run = reconciliation.reconcile()

    assert run.is_clean
    assert run.accounts_checked == 2
    assert run.stocks_checked == 1
    assert run.entries_checked == 5
    assert mail.outbox == []


def test_a_balance_altered_behind_its_back_is_caught_reported_and_not_fixed(books, staff):
    account = Account.objects.get(member=books)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE points_account SET balance = balance + 7 WHERE id = %s", [account.pk]
        )

    run = reconciliation.reconcile()

    assert run.differences == [{"kind": "account", "id": account.pk, "cached": 97, "history": 90}]
    assert Account.objects.get(pk=account.pk).balance == 97  # not silently fixed
    assert Notice.objects.get().user == staff  # in the run's transaction
    deliver_pending()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert "97" in mail.outbox[0].body and "90" in mail.outbox[0].body
    assert f"/admin/points/reconciliationrun/{run.pk}/change/" in mail.outbox[0].body


def test_a_stock_altered_behind_its_back_is_caught(books, staff):
    stock = Stock.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE points_stock SET quantity = 3 WHERE id = %s", [stock.pk])

    run = reconciliation.reconcile()

    assert run.differences == [{"kind": "stock", "id": stock.pk, "cached": 3, "history": 49}]


def test_the_command_fails_loudly_on_a_difference(books, staff, capsys):
    call_command("reconcile_points")
    Account.objects.filter(member=books).update(balance=0)

    with pytest.raises(CommandError):
        call_command("reconcile_points")

    assert "differences=1" in capsys.readouterr().out


def test_the_nightly_task_run_twice_checks_once(books, staff):
    Account.objects.filter(member=books).update(balance=1)

    first = tasks.reconcile_nightly.apply().get()
    second = tasks.reconcile_nightly.apply().get()

    assert first == second
    assert ReconciliationRun.objects.count() == 1
    deliver_pending()
    assert len(mail.outbox) == 1
