"""deqing_hub: the ranking's score formulas, monthly totals, snapshots (cross-app pages).

Only centre staff keep the ranking. A formula is changed by them until its first month begins,
then it is history (view-only, never deleted); totals are derived from the points ledger and
snapshots are closed months frozen with a content hash, so both are read-only for everyone.
The ranking pages themselves are public: the breakdown of one organisation, branch or
volunteer opens for everyone, except a volunteer who did not consent to be named.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from deqing_hub import ranking
from deqing_hub.models import (
    MemberMonthTotal,
    RankingSnapshot,
    ScoreFormula,
    content_hash,
)
from members.models import Member
from members.periods import next_month
from points import actions as points_actions
from rota.models import DutyWeek
from tests.roles.matrix import ALL, AdminSpec, PageSpec

_n = itertools.count(1)

FUTURE = frozenset({"any"})
IN_FORCE = frozenset({"in_force"})


def _future_month(offset: int) -> dt.date:
    day = next_month(timezone.localdate())
    for _ in range(offset):
        day = next_month(day)
    return day


def _formulas(world) -> dict:
    return {
        # Starts next month: centre staff may still change or drop it.
        "any": ScoreFormula.objects.create(effective_from=_future_month(0), note="提高轮值权重"),
        # In force since 2020: history, view-only.
        "in_force": ScoreFormula.objects.create(effective_from=dt.date(2020, 1, 1)),
    }


def _snapshot(month: dt.date) -> RankingSnapshot:
    formula = ScoreFormula.objects.in_force_on(month)
    payload = {"month": month.isoformat(), "organisations": []}
    return RankingSnapshot.objects.create(
        month=month,
        formula=formula,
        payload=payload,
        content_hash=content_hash(payload),
        published_at=timezone.now(),
    )


def _total(member: Member, month: dt.date) -> MemberMonthTotal:
    return MemberMonthTotal.objects.create(
        member=member, month=month, points=5, entries=1, refreshed_at=timezone.now()
    )


def grow_formulas(world, count: int) -> None:
    for _ in range(count):
        ScoreFormula.objects.create(effective_from=_future_month(next(_n)))


def grow_totals(world, count: int) -> None:
    for _ in range(count):
        member = Member.objects.create(
            name=f"志愿者{next(_n)}", gender="f", branch=world["branch"]["own"]
        )
        _total(member, dt.date(2026, 10, 1))


def grow_snapshots(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        _snapshot(dt.date(2017 + n // 12, n % 12 + 1, 1))


ADMIN = [
    AdminSpec(
        model="deqing_hub.scoreformula",
        rows=_formulas,
        allowed={
            "centre_staff": {
                "view": FUTURE | IN_FORCE,
                "change": FUTURE,
                "delete": FUTURE,
                "add": ALL,
            },
        },
        grow=grow_formulas,
    ),
    AdminSpec(
        model="deqing_hub.membermonthtotal",
        rows=lambda world: {"any": _total(world["member"]["own"], dt.date(2026, 10, 1))},
        # Derived from the ledger (the refresh action recomputes it): read-only.
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_totals,
    ),
    AdminSpec(
        model="deqing_hub.rankingsnapshot",
        rows=lambda world: {"any": _snapshot(dt.date(2026, 9, 1))},
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_snapshots,
    ),
]


# --- public ranking pages about one row ---------------------------------------------------------
EVERYONE = (
    "centre_staff",
    "branch_secretary",
    "alliance_contact",
    "operator",
    "auditor",
    "no_role",
    "member",
    "anonymous",
)


def _last_month() -> dt.date:
    """The first day of last month, worked out when a test runs (never at import: a suite that
    starts on the last day of a month may reach these tests on the first day of the next)."""
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _scored_month(world) -> None:
    """Last month's records: a duty week of the "own" organisation, points of both members."""
    month = _last_month()
    monday = month + dt.timedelta(days=(7 - month.weekday()) % 7)
    DutyWeek.objects.create(
        week_start=monday, organisation=world["organisation"]["own"], status="done"
    )
    at = timezone.make_aware(dt.datetime.combine(month + dt.timedelta(days=9), dt.time(12)))
    for member in world["member"].values():
        points_actions.award(
            member=member, amount=5, reason="志愿服务", source=f"matrix:{member.pk}", at=at
        )
    ranking.refresh_member_totals(month=month)


def _volunteers(world) -> dict:
    _scored_month(world)
    named, unnamed = world["member"]["own"], world["member"]["other"]
    Member.objects.filter(pk=named.pk).update(ranking_consent=True)
    Member.objects.filter(pk=unnamed.pk).update(ranking_consent=False)
    return {"named": named, "unnamed": unnamed}


def _month_url(name: str, pk: int) -> str:
    month = _last_month()
    return reverse(name, args=[month.year, month.month, pk])


def _organisation_rows(world) -> dict:
    _scored_month(world)
    return {"any": world["organisation"]["own"]}


def _closed_year_rows(world) -> dict:
    """The yearly ranking reads published months only: close last month first."""
    _scored_month(world)
    ranking.close_month(month=_last_month())
    return {"any": world["organisation"]["own"]}


def _branch_rows(world) -> dict:
    _scored_month(world)
    return {"any": world["branch"]["own"]}


PAGES = [
    PageSpec(
        name="ranking_organisation",
        rows=_organisation_rows,
        url=lambda row: _month_url("ranking_organisation", row.pk),
        allowed=dict.fromkeys(EVERYONE, ALL),
    ),
    PageSpec(
        name="ranking_year_organisation",
        rows=_closed_year_rows,
        url=lambda row: reverse("ranking_year_organisation", args=[_last_month().year, row.pk]),
        allowed=dict.fromkeys(EVERYONE, ALL),
    ),
    PageSpec(
        name="ranking_branch",
        rows=_branch_rows,
        url=lambda row: _month_url("ranking_branch", row.pk),
        allowed=dict.fromkeys(EVERYONE, ALL),
    ),
    PageSpec(
        name="ranking_volunteer",
        rows=_volunteers,
        url=lambda row: _month_url("ranking_volunteer", row.pk),
        # Named only with the member's consent: without it the page is 404 for everyone.
        allowed={role: frozenset({"named"}) for role in EVERYONE},
    ),
]
