"""Each member's earned points per month (`MemberMonthTotal`), refreshed from the ledger."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from deqing_hub.models import MemberMonthTotal, RankingSnapshot
from deqing_hub.ranking.cache import invalidate_cache
from members.periods import current_month, month_bounds, month_start, previous_month
from points import queries as points_queries


@transaction.atomic
def refresh_member_totals(*, month: dt.date) -> int:
    """Recompute every member's earned points of `month` from the ledger; return the row count.

    Idempotent: running it twice writes the same totals. A closed month's totals stay as they
    were when it was closed (they count its unnamed volunteers), so late entries change nothing.
    """
    first = month_start(month)
    if RankingSnapshot.objects.filter(month=first).exists():
        return 0
    rows = points_queries.earned_between(*month_bounds(first.year, first.month))
    now = timezone.now()
    MemberMonthTotal.objects.bulk_create(
        [
            MemberMonthTotal(
                member_id=row["member_id"],
                month=first,
                points=row["points"],
                entries=row["entries"],
                refreshed_at=now,
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["member", "month"],
        update_fields=["points", "entries", "refreshed_at"],
        batch_size=2000,
    )
    # Members whose points vanished (not possible with an append-only ledger, but stay exact).
    MemberMonthTotal.objects.filter(month=first).exclude(refreshed_at=now).delete()
    transaction.on_commit(invalidate_cache)
    return len(rows)


def open_months(today: dt.date | None = None) -> list[dt.date]:
    """The months whose totals still move: this month, and last month until it is closed."""
    this = current_month(today)
    last = previous_month(this)
    months = [this]
    if not RankingSnapshot.objects.filter(month=last).exists():
        months.insert(0, last)
    return months
