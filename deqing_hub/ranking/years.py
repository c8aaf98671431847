"""The yearly alliance ranking, from the year's published months and its exchange meetings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from deqing_hub.models import RankingSnapshot, ScoreFormula
from deqing_hub.ranking.cache import cache_key, cached
from deqing_hub.ranking.months import money
from deqing_hub.ranking.order import sort_with_pinyin_ties
from rota import queries as rota_queries


def compute_year(year: int) -> dict | None:
    """The yearly alliance ranking from the year's published months; None if none is published.

    Four queries: the snapshots' organisation rows, the meetings, attendance, the formulas.
    """
    rows = list(
        RankingSnapshot.objects.filter(month__year=year)
        .order_by("month")
        .values_list("month", "payload__organisations", "content_hash")
    )
    if not rows:
        return None
    attended, meeting_dates = rota_queries.meetings_attended(year)
    formulas = list(ScoreFormula.objects.order_by("-effective_from"))

    def meeting_weight(day: dt.date) -> Decimal:
        for formula in formulas:
            if formula.effective_from <= day:
                return formula.meeting
        return Decimal(0)

    table: dict[int, dict] = {}
    for month, orgs, _hash in rows:
        for org in orgs:
            entry = table.setdefault(
                org["id"],
                {
                    "id": org["id"],
                    "name": org["name"],
                    "kind": org["kind"],
                    "monthly": {},
                    "services": 0,
                },
            )
            entry["name"], entry["kind"] = org["name"], org["kind"]
            entry["monthly"][f"{month:%Y-%m}"] = org["score"]
            entry["services"] += org["components"]["service_record"]["count"]
    result = []
    for entry in table.values():
        months_total = sum((Decimal(s) for s in entry["monthly"].values()), Decimal(0))
        meeting_ids = sorted(attended.get(entry["id"], []))
        meeting_points = sum((meeting_weight(meeting_dates[pk]) for pk in meeting_ids), Decimal(0))
        entry["months_score"] = str(money(months_total))
        entry["meetings"] = {
            "count": len(meeting_ids),
            "points": str(money(meeting_points)),
            "ids": meeting_ids,
        }
        entry["score"] = str(money(months_total + meeting_points))
        result.append(entry)
    result = sort_with_pinyin_ties(
        result, key=lambda e: (-Decimal(e["score"]), -e["services"]), name=lambda e: e["name"]
    )
    for rank, entry in enumerate(result, start=1):
        entry["rank"] = rank
    months = [f"{month:%Y-%m}" for month, _orgs, _hash in rows]
    return {
        "year": year,
        "months": months,
        "complete": len(months) == 12,
        "hashes": {f"{month:%Y-%m}": h for month, _orgs, h in rows},
        "organisations": result,
    }


def year_ranking(year: int) -> dict | None:
    return cached(cache_key("year", year), lambda: compute_year(year))
