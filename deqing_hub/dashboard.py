"""The home dashboard: the town at a glance, counted from records, never typed in.

Every figure carries the address of the list it counts: the public list where one shows
exactly those records, otherwise the staff admin list with the same filters (the public are
asked to log in there). A fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deqing_hub import ranking
from members import queries as members_queries
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries
from wishes import queries as wishes_queries

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The exchanged items the dashboard names beside the total (points.models.Item.Kind values).
REDEEMED_PARTS = ("cinema_ticket", "coffee")


@dataclass
class Part:
    label: StrOrPromise
    value: int
    url: str | None


@dataclass
class Figure:
    key: str
    label: StrOrPromise
    value: int
    url: str | None
    parts: list[Part] = field(default_factory=list)
    public_url: str | None = None


def admin_list(app_model: str, **filters: str) -> str | None:
    """The admin changelist of `app_model` ("members_enterprise") with filters, if registered."""
    try:
        url = reverse(f"admin:{app_model}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(filters)}" if filters else url


def _url(name: str, query: dict | None = None) -> str | None:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def figures(today: dt.date | None = None) -> list[Figure]:
    """The dashboard's figures; 8 queries."""
    today = today or timezone.localdate()
    enterprises = members_queries.active_enterprise_counts()
    branch_kinds = members_queries.branches_by_kind()
    members = members_queries.active_members_count()
    organisation_kinds = rota_queries.active_organisations_by_kind()
    weeks = rota_queries.duty_weeks_held_count(today)
    services = services_queries.service_records_count()
    wishes = wishes_queries.wishes_granted_count()
    redeemed = points_queries.redeemed_item_counts()
    item_labels = points_queries.item_kind_labels()
    spent = ",".join(points_queries.SPENT_STATUSES)

    return with_public_pages(
        [
            Figure(
                "enterprises",
                _("Enterprises"),
                enterprises.total,
                admin_list("members_enterprise", is_active__exact="1"),
                [
                    Part(
                        _("of which GIS"),
                        enterprises.gis,
                        admin_list(
                            "members_enterprise",
                            is_active__exact="1",
                            industry__exact=members_queries.GIS_INDUSTRY,
                        ),
                    )
                ],
            ),
            Figure(
                "branches",
                _("Party branches"),
                sum(row.count for row in branch_kinds),
                admin_list("members_branch"),
                [
                    Part(row.label, row.count, admin_list("members_branch", kind__exact=row.kind))
                    for row in branch_kinds
                ],
            ),
            Figure(
                "members",
                _("Party members"),
                members,
                admin_list("members_member", is_active__exact="1"),
            ),
            Figure(
                "organisations",
                _("Red Alliance members"),
                sum(row.count for row in organisation_kinds),
                admin_list("rota_organisation", is_active__exact="1"),
                [
                    Part(
                        row.label,
                        row.count,
                        admin_list("rota_organisation", is_active__exact="1", kind__exact=row.kind),
                    )
                    for row in organisation_kinds
                ],
            ),
            Figure(
                "duty_weeks",
                _("Duty weeks held"),
                weeks,
                admin_list(
                    "rota_dutyweek",
                    status__in=",".join(rota_queries.HELD_STATUSES),
                    week_start__lte=today.isoformat(),
                )
                or _url("rota:calendar"),
            ),
            Figure(
                "services",
                _("Services delivered"),
                services,
                admin_list("services_servicerecord"),
            ),
            Figure(
                "wishes",
                _("Wishes granted"),
                wishes,
                admin_list(
                    "wishes_wish",
                    status__in=",".join(wishes_queries.GRANTED_STATUSES),
                ),
            ),
            Figure(
                "redeemed",
                _("Items exchanged for points"),
                sum(redeemed.values()),
                admin_list("points_voucher", status__in=spent),
                [
                    Part(
                        item_labels[kind],
                        redeemed.get(kind, 0),
                        admin_list("points_voucher", status__in=spent, item__kind__exact=kind),
                    )
                    for kind in REDEEMED_PARTS
                ],
            ),
        ]
    )


def with_public_pages(items: list[Figure]) -> list[Figure]:
    """Add the public page of the figures that have one (shown beside the staff list)."""
    # Only pages that show the counted records themselves (the rota's weeks, the wall's wishes).
    public = {
        "duty_weeks": _url("rota:calendar"),
        "wishes": _url("wishes:wish_list"),
    }
    for item in items:
        item.public_url = public.get(item.key)
    return items


def covenant_panel(today: dt.date | None = None) -> dict:
    """This week's duty organisation, this month's theme, the quarter's meeting, last year's top."""
    today = today or timezone.localdate()
    last_year = today.year - 1
    year_data = ranking.year_ranking(last_year) if last_year >= ranking.FIRST_MONTH.year else None
    return {
        "duty_week": rota_queries.current_duty_week(today),
        "theme": rota_queries.current_theme(today),
        "meeting": rota_queries.current_exchange_meeting(today),
        "last_year": last_year,
        "last_year_top": year_data["organisations"][:3] if year_data else [],
        "last_year_complete": bool(year_data and year_data["complete"]),
    }
