"""A month's page summary: what the month page shows by default, and the trend of its leaders.

A closed month is frozen, so `close_month` stores its summary next to the snapshot
(`RankingSnapshot.summary`): the first rows of each table, how many rows there are, the
totals, the formula and the trend of the top organisations. The month page then reads one
small column. Before, every cold /ranking/ cut the 1 MB payload by JSON path (30 ms), ran the
trend over eleven payloads (30-50 ms: PostgreSQL detoasted each to pick five rows) and drew
150 table rows. An open month's summary is made from its cached payload the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

from deqing_hub.models import RankingSnapshot
from members.periods import next_month, previous_month

# Rows of each table the month page shows unless `?all=1`: enough for the leaders on a phone,
# and a page of about 40 KB rather than the 106 KB of 50 rows a table.
SUMMARY_ROWS = 20
# The trend shows the top organisations over this many months, up to the month shown.
TREND_TOP = 5
TREND_MONTHS = 12


def summarise(
    payload: dict, trend: dict, *, rows: int | None = SUMMARY_ROWS, volunteers: int = SUMMARY_ROWS
) -> dict:
    """What the month page shows of `payload`: its first `rows` organisations and branches
    (None: all) and first `volunteers` volunteers, the counts, the formula and `trend`.

    Organisations keep their component counts, not the record ids behind them (the breakdown
    page reads those from the payload); volunteers carry their branch's name.
    """
    branch_names = {branch["id"]: branch["name"] for branch in payload["branches"]}
    return {
        "month": payload["month"],
        "formula": payload["formula"],
        "totals": payload["totals"],
        "organisations": [
            {
                **{key: o[key] for key in ("id", "rank", "name", "kind", "score")},
                "counts": {key: c["count"] for key, c in o["components"].items()},
            }
            for o in payload["organisations"][:rows]
        ],
        # A published payload read cut to its first rows says how many there are.
        "organisation_count": payload.get("organisation_count", len(payload["organisations"])),
        "branches": payload["branches"][:rows],
        "branch_count": len(payload["branches"]),
        "volunteers": [
            {**v, "branch": branch_names.get(v["branch_id"])}
            for v in payload["volunteers"][:volunteers]
        ],
        "trend": trend,
    }


def store_summaries(first: dt.date, payload: dict) -> dict:
    """Store the summary of the month `first` just closed with `payload` (inside its closing
    transaction), and the trend again of the closed months whose span includes it: a month
    closed after a later one is a point of that later month's trend. Returns the summary."""
    summary = summarise(payload, organisation_trend(first))
    RankingSnapshot.objects.filter(month=first).update(summary=summary)
    last = first
    for _i in range(TREND_MONTHS - 1):
        last = next_month(last)
    later = RankingSnapshot.objects.filter(month__gt=first, month__lte=last).values_list(
        "month", "summary"
    )
    for month, stored in later:
        RankingSnapshot.objects.filter(month=month).update(
            summary={**stored, "trend": organisation_trend(month)}
        )
    return summary


def organisation_trend(first: dt.date, *, top: int = TREND_TOP, months: int = TREND_MONTHS) -> dict:
    """Monthly scores of this month's top organisations over the published months up to it.

    One query, and only those organisations' rows leave PostgreSQL: a JSON path query keeps
    each month's rows of the organisations first in the last published month of the span
    (their ids from a subquery run once). Reading every month's whole organisations list
    moved 11 x 1.1 MB out of PostgreSQL and its sort spilled to disk.
    The last month's rows come in its ranking order, so they give the series' order.
    """
    since = first
    for _i in range(months - 1):
        since = previous_month(since)
    span = RankingSnapshot.objects.filter(month__gte=since, month__lte=first).order_by("month")
    if connection.vendor != "postgresql":
        # SQLite (`make run` with nothing configured): every month's organisations read whole;
        # `trend_of` keeps the same rows.
        return trend_of(list(span.values_list("month", "payload__organisations")), top=top)
    rows = list(
        span.annotate(
            # A constant statement; the values go as parameters.
            top=RawSQL(_TREND_ROWS, (top - 1, since, first), output_field=JSONField()),  # noqa: S611
        )
        .order_by("month")
        .values_list("month", "top")
    )
    return trend_of(rows, top=top)


# The trend's rows of a month: those organisations first in the span's last published month.
_TREND_ROWS = (
    "jsonb_path_query_array(payload, '$.organisations[*] ? (@.id == $ids[*])', "
    "jsonb_build_object('ids', ("
    "SELECT jsonb_path_query_array(latest.payload, '$.organisations[0 to $last].id', "
    "jsonb_build_object('last', %s::int)) FROM deqing_hub_rankingsnapshot latest "
    "WHERE latest.month BETWEEN %s AND %s ORDER BY latest.month DESC LIMIT 1)))"
)


def trend_of(rows: list[tuple[dt.date, list]], *, top: int = TREND_TOP) -> dict:
    """The trend chart's data from (month, organisation rows) pairs in month order; the last
    month's first `top` organisations are the series."""
    if not rows:
        return {"months": [], "series": []}
    order = [o["id"] for o in rows[-1][1][:top]]
    names = {}
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for month, orgs in rows:
        for org in orgs:
            if org["id"] in order:
                names[org["id"]] = org["name"]
                scores[org["id"]][f"{month:%Y-%m}"] = float(org["score"])
    labels = [f"{month:%Y-%m}" for month, _orgs in rows]
    return {
        "months": labels,
        "series": [
            {"name": names[pk], "data": [scores[pk].get(label) for label in labels]}
            for pk in order
            if pk in names
        ],
    }
