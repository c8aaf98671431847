"""The home dashboard: the town at a glance, counted from records, never typed in.

Every figure opens the public list of what it counts (`deqing_hub.figure_lists`, or the wish
wall filtered to granted wishes), and every part opens that list filtered to its kind. Figures
and parts come from the same query functions as those lists, the wall and the ranking; the
parts of a figure are every kind, so they add up to it. A fixed number of queries whatever the
data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from deqing_hub import covenant, ranking
from deqing_hub.models import RankingSnapshot
from members import figures_version
from members import queries as members_queries
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries
from services.projects import queries as projects_queries
from wishes import queries as wishes_queries

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from members.queries import KindCount

# How many organisations the home shows of a ranking.
RANKING_TOP = 3


@dataclass
class Part:
    label: StrOrPromise
    value: int
    url: str


@dataclass
class Figure:
    key: str
    label: StrOrPromise
    value: int
    url: str
    parts: list[Part] = field(default_factory=list)


def figure_url(key: str, kind: str | None = None) -> str:
    """The public list of figure `key` (`/figures/<key>/`), filtered to `kind` if given."""
    url = reverse("figure_list", args=[key])
    return f"{url}?{urlencode({'kind': kind})}" if kind else url


def _by_kind(key: str, label: StrOrPromise, kinds: list[KindCount]) -> Figure:
    return Figure(
        key,
        label,
        sum(row.count for row in kinds),
        figure_url(key),
        [Part(row.label, row.count, figure_url(key, row.kind)) for row in kinds],
    )


def _projects() -> Figure:
    """Claimed projects, under way or completed (open ones are nobody's yet); each part opens
    its section of the projects' list."""
    counts = projects_queries.project_figures()
    url = reverse("projects:project_list")
    return Figure(
        "projects",
        _("Projects claimed"),
        counts["under_way"] + counts["completed"],
        url,
        [
            Part(_("Under way"), counts["under_way"], f"{url}#section-under-way"),
            Part(_("Completed"), counts["completed"], f"{url}#section-finished"),
        ],
    )


def figures(today: dt.date | None = None) -> list[Figure]:
    """The dashboard's figures; 9 queries."""
    today = today or timezone.localdate()
    wall = reverse("wishes:wish_list")
    return [
        _by_kind("enterprises", _("Enterprises"), members_queries.enterprises_by_industry()),
        _by_kind("branches", _("Party branches"), members_queries.branches_by_kind()),
        # Party members are counted per branch on the branches' list (never named there).
        Figure(
            "members",
            _("Party members"),
            members_queries.active_members_count(),
            figure_url("branches"),
        ),
        _by_kind(
            "organisations",
            _("Red Alliance members"),
            rota_queries.active_organisations_by_kind(),
        ),
        Figure(
            "duty-weeks",
            _("Duty weeks held"),
            rota_queries.duty_weeks_held_count(today),
            figure_url("duty-weeks"),
        ),
        Figure(
            "services",
            _("Services delivered"),
            services_queries.service_records_count(),
            figure_url("services"),
        ),
        Figure(
            "wishes",
            _("Wishes granted"),
            wishes_queries.wishes_granted_count(),
            f"{wall}?{urlencode({'status': wishes_queries.GRANTED_WALL_FILTER})}",
        ),
        _projects(),
        _by_kind("redeemed", _("Items exchanged for points"), points_queries.redeemed_by_kind()),
    ]


def register_counted_models() -> None:
    """Saving or deleting any record the dashboard counts or shows moves `figures_version`
    on (admin edits included); each app names its counted models next to its count queries."""
    figures_version.register(
        *members_queries.DASHBOARD_MODELS,
        *rota_queries.DASHBOARD_MODELS,
        *points_queries.DASHBOARD_MODELS,
        *services_queries.DASHBOARD_MODELS,
        *projects_queries.DASHBOARD_MODELS,
        *wishes_queries.DASHBOARD_MODELS,
    )


def rendered(today: dt.date | None = None) -> SafeString:
    """The figures and the covenant panel as HTML, rendered once per version of what they
    count and show, language and day, and cached (one worker rebuilds it, `ranking.cached`).

    At county scale the nine counts cost 40-60 ms a request (vouchers by kind over 18,000
    vouchers, granted wishes, service records...): the home could not serve more than a few
    dozen requests a second. The key holds `figures_version` (moved by every change to a
    counted record), the ranking's version and attendance stamp (the ranking panel and the
    covenant's meetings) and the day (the duty week, the theme, the next meeting and the
    weeks held by today change with it). Nothing per user is in it.
    """
    today = today or timezone.localdate()
    key = ranking.cache_key("home", figures_version.version(), get_language(), today.isoformat())
    html = ranking.cached(
        key,
        lambda: render_to_string(
            "includes/home_dashboard.html",
            {"figures": figures(today), "covenant": covenant_panel(today)},
        ),
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template, user text escaped there


def _top(organisations: list[dict]) -> list[dict]:
    """The first organisations of a ranking that scored at all (a 0.00 tie ranks no one)."""
    return [
        {"rank": o["rank"], "name": o["name"], "score": o["score"]}
        for o in organisations
        if Decimal(o["score"]) > 0
    ][:RANKING_TOP]


def ranking_panel(today: dt.date | None = None) -> dict:
    """`_ranking_panel`, cached under the ranking's version (closing a month, a refresh or a
    new formula moves it on): at county scale the panel read a month's 1.1 MB snapshot and
    the 155 KB yearly ranking from Redis on every home request to show three names each."""
    today = today or timezone.localdate()
    return ranking.cached(
        ranking.cache_key("home-panel", today.year), lambda: _ranking_panel(today)
    )


def _ranking_panel(today: dt.date) -> dict:
    """The last closed month's ranking and the yearly ranking worth showing; 2 to 6 queries.

    The year is last year's when all its twelve months are published (final); otherwise the
    year of the last closed month so far, with how many months it counts - a year of one
    published month would rank organisations on their exchange meetings alone.
    """
    latest = (
        RankingSnapshot.objects.order_by("-month")
        .values_list("month", "payload__organisations")
        .first()
    )
    if latest is None:
        return {"month": None, "year": None}
    month, organisations = latest
    last_year = ranking.year_ranking(today.year - 1)
    year = (
        last_year
        if last_year is not None and last_year["complete"]
        else ranking.year_ranking(month.year)
    )
    return {
        "month": month,
        "month_top": _top(organisations),
        # What the panel shows of the year: not its 500 organisations.
        "year": {k: year[k] for k in ("year", "complete", "months")} if year else None,
        "year_top": _top(year["organisations"]) if year else [],
    }


def covenant_panel(today: dt.date | None = None) -> dict:
    """This week's duty organisation, this month's theme, the quarter's meeting, the ranking,
    and this year's covenant so far (the page /covenant/ has it per organisation)."""
    today = today or timezone.localdate()
    return {
        "duty_week": rota_queries.current_duty_week(today),
        "theme": rota_queries.current_theme(today),
        "meeting": rota_queries.current_exchange_meeting(today),
        "ranking": ranking_panel(today),
        "kept": covenant.home_summary(today=today),
    }
