"""The covenant compliance view (红色盟约): who kept it, per organisation, for one year.

Per active organisation and quarter: duty weeks held (一周一轮值) and their reports, exchange
meetings attended or hosted (一季一交流); for the year: those totals and the yearly rank
(一年一排名, from the published months). Themes (一月一主题) are recorded per month, not per
organisation, so the view shows each month's theme beside the quarters rather than who took
it up. A week counts in the quarter its Monday falls in, as the ranking counts it by month.
Six queries at most (organisations, weeks, meetings, attendance, themes, the yearly ranking).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from deqing_hub import ranking
from rota import queries as rota_queries

QUARTERS = (1, 2, 3, 4)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass
class Quarter:
    number: int
    weeks: int = 0
    reports: int = 0
    meetings: int = 0


@dataclass
class OrganisationYear:
    id: int
    name: str
    kind: str
    quarters: list[Quarter] = field(default_factory=lambda: [Quarter(q) for q in QUARTERS])
    rank: int | None = None
    score: str | None = None

    @property
    def weeks(self) -> int:
        return sum(q.weeks for q in self.quarters)

    @property
    def reports(self) -> int:
        return sum(q.reports for q in self.quarters)

    @property
    def meetings(self) -> int:
        return sum(q.meetings for q in self.quarters)


def first_year() -> int:
    return ranking.FIRST_MONTH.year


def year_view(year: int, *, today: dt.date) -> dict:
    """The year's compliance per organisation (ranked ones first, by rank) and its months."""
    labels = rota_queries.organisation_kind_labels()
    rows = {
        pk: OrganisationYear(pk, name, str(labels.get(kind, kind)))
        for pk, name, _short, kind in rota_queries.active_organisations()
    }
    for org_id, monday, reported in rota_queries.held_weeks_of_year(year, today=today):
        if org_id in rows:
            quarter = rows[org_id].quarters[quarter_of(monday) - 1]
            quarter.weeks += 1
            quarter.reports += int(reported)
    attended, meeting_dates = rota_queries.meetings_attended(year)
    # Only meetings held by today: the host of a meeting still to come has not attended yet.
    meeting_dates = {pk: day for pk, day in meeting_dates.items() if day <= today}
    for org_id, meeting_ids in attended.items():
        if org_id in rows:
            for meeting_id in filter(meeting_dates.__contains__, meeting_ids):
                rows[org_id].quarters[quarter_of(meeting_dates[meeting_id]) - 1].meetings += 1
    yearly = ranking.year_ranking(year)
    for entry in yearly["organisations"] if yearly else []:
        if entry["id"] in rows:
            rows[entry["id"]].rank, rows[entry["id"]].score = entry["rank"], entry["score"]
    themes = rota_queries.themes_of_year(year)
    ordered = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0))
    return {
        "year": year,
        "organisations": ordered,
        "quarters": [
            {
                "number": q,
                "months": [
                    {"month": dt.date(year, m, 1), "theme": themes.get(m)}
                    for m in range(3 * q - 2, 3 * q + 1)
                ],
                "weeks": sum(r.quarters[q - 1].weeks for r in ordered),
                "reports": sum(r.quarters[q - 1].reports for r in ordered),
                "meetings": len({pk for pk, day in meeting_dates.items() if quarter_of(day) == q}),
            }
            for q in QUARTERS
        ],
        "ranking_months": len(yearly["months"]) if yearly else 0,
        "ranking_complete": bool(yearly and yearly["complete"]),
        "previous_year": year - 1 if year > first_year() else None,
        "next_year": year + 1 if year < today.year else None,
    }


def home_summary(*, today: dt.date) -> dict:
    """This year's covenant totals for the home panel: weeks held, reports, meetings held;
    two queries."""
    weeks = rota_queries.held_weeks_of_year(today.year, today=today)
    return {
        "year": today.year,
        "weeks": len(weeks),
        "reports": sum(1 for _org, _monday, reported in weeks if reported),
        "meetings": rota_queries.exchange_meetings_held_count(today.year, today=today),
    }
