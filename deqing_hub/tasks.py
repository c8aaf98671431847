"""Periodic ranking work: keep the open months' totals fresh, close last month on the 1st."""

from __future__ import annotations

from functools import partial

from celery import shared_task
from django.db import transaction

from deqing_hub import ranking
from members import periods


@shared_task(name="deqing_hub.refresh_ranking_totals", ignore_result=True)
def refresh_ranking_totals() -> int:
    """Recompute the monthly points totals of the open months; return the rows written.

    Idempotent: a second run writes the same totals. Closed months are left as published.
    """
    months = ranking.open_months()
    written = sum(ranking.refresh_member_totals(month=month) for month in months)
    # After the refresh has dropped the cached pages (on commit), compute the payloads here once.
    for month in months:
        transaction.on_commit(partial(ranking.warm_month, month))
    return written


@shared_task(name="deqing_hub.close_previous_month", ignore_result=True)
def close_previous_month() -> str:
    """Publish last month's ranking; a repeated run finds it published and changes nothing."""
    month = periods.previous_month(periods.current_month())
    snapshot, _created = ranking.close_month(month=month)
    return snapshot.content_hash
