"""Demo rankings: publish every finished month since the demo's first records (idempotent).

Runs after the apps' demos (add "deqing_hub.demo" last to seed_demo's DEMO_MODULES), so the
ranking pages, the yearly ranking and the dashboard's "last year's ranking" have content.
"""

from __future__ import annotations

import datetime as dt

from deqing_hub import ranking
from members import periods
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries


def first_month_with_records() -> dt.date | None:
    """The earliest month holding a duty week, a service record or a ledger entry."""
    candidates = [
        rota_queries.first_duty_week_start(),
        services_queries.first_delivery_date(),
        points_queries.first_entry_date(),
    ]
    found = [day for day in candidates if day is not None]
    return max(periods.month_start(min(found)), ranking.FIRST_MONTH) if found else None


def seed() -> str:
    month = first_month_with_records()
    if month is None:
        return "no records, no ranking published"
    this_month = periods.current_month()
    published = 0
    while month < this_month:
        _snapshot, created = ranking.close_month(month=month)
        published += created
        month = periods.next_month(month)
    for open_month in ranking.open_months():
        ranking.refresh_member_totals(month=open_month)
    return f"{published} monthly rankings published"
