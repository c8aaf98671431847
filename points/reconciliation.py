"""Check that the books match the stock (账物相符): cached figures against their histories.

Every account balance must equal the sum of its entries, and every stock quantity the sum of
its movements. Differences are recorded and mailed to staff, never corrected here: a
correction is a staff adjustment with a reason.
"""

from __future__ import annotations

import logging
import uuid
from typing import cast

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from members.notices.actions import notify
from points.models import Account, Entry, ReconciliationRun, Stock, StockMovement
from points.notices import RECONCILIATION

logger = logging.getLogger(__name__)


def _column(model: type[models.Model], name: str) -> str:
    # A concrete field always has a column (django-stubs allows None for the others).
    field = cast("models.Field", model._meta.get_field(name))
    return cast(str, field.column)


def _differences(cached_table: str, cached_column: str, rows_table: str, fk: str, amount: str):
    """Return (checked, rows checked, [(id, cached, summed)]) in one statement (one snapshot)."""
    sql = f"""
        SELECT c.id, c.{cached_column}, COALESCE(s.total, 0), COALESCE(s.n, 0)
        FROM {cached_table} c
        LEFT JOIN (
            SELECT {fk} AS owner_id, SUM({amount}) AS total, COUNT(*) AS n
            FROM {rows_table} GROUP BY {fk}
        ) s ON s.owner_id = c.id
    """  # noqa: S608 - table and column names come from model metadata, never from input
    checked = rows = 0
    different = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for pk, cached, summed, n in cursor.fetchall():
            checked += 1
            rows += n
            if cached != summed:
                different.append((pk, cached, int(summed)))
    return checked, rows, different


def find_differences() -> tuple[dict[str, int], list[dict]]:
    """Compare every balance and stock with its history; returns (counts, differences)."""
    accounts, entries, account_diffs = _differences(
        Account._meta.db_table,
        _column(Account, "balance"),
        Entry._meta.db_table,
        _column(Entry, "account"),
        _column(Entry, "amount"),
    )
    stocks, movements, stock_diffs = _differences(
        Stock._meta.db_table,
        _column(Stock, "quantity"),
        StockMovement._meta.db_table,
        _column(StockMovement, "stock"),
        _column(StockMovement, "quantity"),
    )
    differences = [
        {"kind": "account", "id": pk, "cached": cached, "history": summed}
        for pk, cached, summed in account_diffs
    ] + [
        {"kind": "stock", "id": pk, "cached": cached, "history": summed}
        for pk, cached, summed in stock_diffs
    ]
    counts = {"accounts": accounts, "entries": entries, "stocks": stocks, "movements": movements}
    return counts, differences


def reconcile(*, run_key: str = "") -> ReconciliationRun:
    """Check the books, record the run and mail staff if anything differs.

    A run key already recorded (the nightly run uses the date) returns that run unchanged.
    """
    run_key = run_key or f"manual:{uuid.uuid4().hex[:12]}"
    earlier = ReconciliationRun.objects.filter(run_key=run_key).first()
    if earlier:
        return earlier
    started = timezone.now()
    with transaction.atomic():
        counts, differences = find_differences()
    try:
        with transaction.atomic():
            run = ReconciliationRun.objects.create(
                run_key=run_key,
                started_at=started,
                finished_at=timezone.now(),
                accounts_checked=counts["accounts"],
                stocks_checked=counts["stocks"],
                entries_checked=counts["entries"],
                differences=differences,
            )
            if differences:
                # In the run's transaction: recorded and told together, or neither.
                _tell_staff(run)
    except IntegrityError:
        return ReconciliationRun.objects.get(run_key=run_key)  # a parallel run won
    logger.info(
        "points.reconciled",
        extra={"run": run.pk, "differences": len(differences), **counts},
    )
    return run


def _tell_staff(run: ReconciliationRun) -> None:
    """Tell the staff who may see reconciliation runs (inbox and their channels)."""
    notify(
        kind=RECONCILIATION,
        to=get_user_model().objects.staff_holding("points.view_reconciliationrun"),
        event=f"points.reconciliation:{run.pk}",
        context={"differences": run.differences},
        link=reverse("admin:points_reconciliationrun_change", args=[run.pk]),
    )
