"""A month's ranking: computed from the month's totals and records, closed (published) once."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deqing_hub.models import MemberMonthTotal, RankingSnapshot, ScoreFormula, content_hash
from deqing_hub.ranking.cache import invalidate_cache
from deqing_hub.ranking.order import sort_with_pinyin_ties
from deqing_hub.ranking.summary import store_summaries
from deqing_hub.ranking.totals import refresh_member_totals
from members import queries as members_queries
from members.periods import current_month, month_bounds, month_start, next_month
from members.refusals import Refused
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries
from wishes import queries as wishes_queries

if TYPE_CHECKING:
    # The portal's user (members.models.User) is an AbstractUser; this module reads members
    # only through members.queries, so it names the Django base class.
    from django.contrib.auth.models import AbstractUser

logger = logging.getLogger(__name__)


PAYLOAD_VERSION = 1
# The centre opened in October 2016: no month before it has a ranking.
FIRST_MONTH = dt.date(2016, 10, 1)


def money(value: Decimal) -> Decimal:
    """Round a score to cents, halves up (scores and weights are exact decimals)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _organisation_records(first: dt.date) -> dict[int, dict[str, list]]:
    """{organisation id: {component: [record ids]}} for the month; 6 queries, one per source."""
    start, end = month_bounds(first.year, first.month)
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))

    def add(component: str, ids_by_organisation: dict[int, list]) -> None:
        for org_id, ids in ids_by_organisation.items():
            found[org_id][component].extend(ids)

    weeks = rota_queries.held_duty_weeks(first, next_month(first), today=timezone.localdate())
    add("duty_week", weeks.held)
    add("duty_report", weeks.reported)
    add(
        "service_record",
        services_queries.record_ids_by_organisation(first, next_month(first)),
    )
    add("wish_fulfilled", wishes_queries.fulfilled_wish_ids_by_organisation(start, end))
    add("wish_confirmed", wishes_queries.confirmed_wish_ids_by_organisation(start, end))
    add("activity", services_queries.activity_ids_by_organisation(start, end))
    # Stored as [request id, stars] lists: the payload is JSON.
    ratings = services_queries.ratings_by_organisation(start, end)
    add("rating_star", {org: [list(pair) for pair in pairs] for org, pairs in ratings.items()})
    return found


def _score_organisation(records: dict[str, list], formula: ScoreFormula) -> tuple[Decimal, dict]:
    components = {}
    score = Decimal(0)
    for name in ScoreFormula.MONTHLY_COMPONENTS:
        ids = sorted(records.get(name, []))
        # A rating counts its stars; every other component counts its records.
        count = sum(rating for _pk, rating in ids) if name == "rating_star" else len(ids)
        points = money(getattr(formula, name) * count)
        score += points
        components[name] = {"count": count, "points": str(points), "ids": ids}
    return money(score), components


def compute_month(first: dt.date, *, last_entry_id: int | None = None) -> dict:
    """The month's ranking as a JSON-ready dict, from monthly totals and the month's records.

    About 10 queries whatever the data size; reads `MemberMonthTotal`, never the ledger.
    """
    formula = ScoreFormula.objects.in_force_on(first)
    if formula is None:
        raise Refused(_("No score formula is in force for this month."), code="no_formula")

    totals = list(
        MemberMonthTotal.objects.filter(month=first, points__gt=0).values_list(
            "member_id",
            "member__name",
            "member__branch_id",
            "points",
            "entries",
            "member__name_pinyin",
        )
    )
    # Members keep their name's pinyin ("wangxiaoming wxm"); convert only where it is missing.
    totals = sort_with_pinyin_ties(
        totals,
        key=lambda t: (-t[3], -t[4]),
        name=lambda t: t[5].split(" ")[0] if t[5] else t[1],
    )
    volunteers = [
        {"member_id": mid, "branch_id": bid, "points": pts, "entries": n, "rank": rank}
        for rank, (mid, _name, bid, pts, n, _pinyin) in enumerate(totals, start=1)
    ]

    branch_points: dict[int, int] = defaultdict(int)
    branch_volunteers: dict[int, int] = defaultdict(int)
    for row in volunteers:
        branch_points[row["branch_id"]] += row["points"]
        branch_volunteers[row["branch_id"]] += 1
    branches: list[dict[str, Any]] = []
    for pk, name, kind, members in members_queries.branches_with_active_members():
        points = branch_points.get(pk, 0)
        per_member = money(Decimal(points) / members) if members else Decimal("0.00")
        branches.append(
            {
                "id": pk,
                "name": name,
                "kind": kind,
                "members": members,
                "volunteers": branch_volunteers.get(pk, 0),
                "points": points,
                "per_member": str(per_member),
            }
        )
    branches = sort_with_pinyin_ties(
        branches, key=lambda b: (-Decimal(b["per_member"]), -b["points"]), name=lambda b: b["name"]
    )
    for rank, branch in enumerate(branches, start=1):
        branch["rank"] = rank

    records = _organisation_records(first)
    organisations: list[dict[str, Any]] = []
    for pk, name, short_name, kind in rota_queries.active_organisations():
        score, components = _score_organisation(records.get(pk, {}), formula)
        organisations.append(
            {
                "id": pk,
                "name": short_name or name,
                "full_name": name,
                "kind": kind,
                "score": str(score),
                "components": components,
            }
        )
    organisations = sort_with_pinyin_ties(
        organisations,
        key=lambda o: (-Decimal(o["score"]), -o["components"]["service_record"]["count"]),
        name=lambda o: o["name"],
    )
    for rank, organisation in enumerate(organisations, start=1):
        organisation["rank"] = rank

    return {
        "version": PAYLOAD_VERSION,
        "month": f"{first:%Y-%m}",
        "formula": {
            "id": formula.pk,
            "effective_from": formula.effective_from.isoformat(),
            "weights": formula.weights(),
        },
        "last_entry_id": last_entry_id,
        "totals": {
            "volunteers": len(volunteers),
            "points": sum(row["points"] for row in volunteers),
        },
        "volunteers": volunteers,
        "branches": branches,
        "organisations": organisations,
    }


def close_month(*, month: dt.date, by: AbstractUser | None = None) -> tuple[RankingSnapshot, bool]:
    """Publish `month`'s ranking as a frozen snapshot; return (snapshot, created).

    The snapshot's page summary is stored with it, and the trend of the closed months after it
    is drawn again (`summary.store_summaries`). A month can be closed once it is over. Closing
    again returns the existing snapshot and writes nothing; two closers racing end with one
    snapshot (the month is unique).
    """
    first = month_start(month)
    if first >= current_month():
        raise Refused(
            _("%(month)s is not over yet; a month can be closed from the 1st of the next month.")
            % {"month": f"{first:%Y-%m}"},
            code="not_over",
        )
    if first < FIRST_MONTH:
        raise Refused(
            _("There is no ranking before %(month)s.") % {"month": f"{FIRST_MONTH:%Y-%m}"},
            code="too_early",
        )
    existing = RankingSnapshot.objects.filter(month=first).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            last_entry_id = points_queries.last_entry_id()
            refresh_member_totals(month=first)
            payload = compute_month(first, last_entry_id=last_entry_id)
            snapshot = RankingSnapshot.objects.create(
                month=first,
                formula_id=payload["formula"]["id"],
                payload=payload,
                content_hash=content_hash(payload),
                published_at=timezone.now(),
                # By id: the caller's user is typed as Django's base class (see above).
                published_by_id=by.pk if by is not None else None,
            )
            snapshot.summary = store_summaries(first, payload)
    except IntegrityError:
        # Another closer won the race; its snapshot is the published one.
        return RankingSnapshot.objects.get(month=first), False
    transaction.on_commit(invalidate_cache)
    logger.info(
        "ranking.month_closed",
        extra={"month": payload["month"], "content_hash": snapshot.content_hash},
    )
    return snapshot, True
