"""The monthly and yearly rankings: computing, closing (publishing) and presenting them.

1. `refresh_member_totals(month)` sums the month's earned ledger points per member into
   `MemberMonthTotal` (a periodic task keeps the open months fresh; closing refreshes once more).
2. `compute_month(month)` builds a month's ranking payload from those totals and from the
   alliance records of the month (a fixed number of queries, whatever the data size).
3. `close_month(month)` freezes that payload in a `RankingSnapshot` with a SHA-256 content hash;
   closing again returns the same snapshot and changes nothing.
4. `month_payload(month)` is what pages read: the snapshot of a closed month, else the cached
   provisional payload. Names are applied only when presenting (`present_volunteers`), from the
   members' consent at that moment, so a withdrawn consent takes effect on published months too.

Volunteers rank by points, then by more ledger entries (more occasions served), then by the
pinyin of their name. Branches rank by points per member, then by total points, then pinyin.
Organisations rank by score, then by more services delivered, then pinyin. The yearly ranking
sums the closed months' scores plus the exchange meetings attended, then services, then pinyin.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from deqing_hub.models import (
    MemberMonthTotal,
    RankingSnapshot,
    ScoreFormula,
    content_hash,
)
from members import queries as members_queries
from members.masking import mask_name
from members.periods import current_month, month_bounds, month_start, next_month, previous_month
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
# Pages and breakdowns of open months are cached this long (and dropped on every refresh).
CACHE_SECONDS = 300
_VERSION_KEY = "ranking:version"

# Shown on the page and in JSON/xlsx; the order of keys is the order of the rules.
TIE_RULES = {
    "volunteers": _(
        "Equal points: more ledger entries (more occasions served) first, then pinyin order "
        "of the name."
    ),
    "branches": _(
        "Equal points per member: more total points first, then pinyin order of the name."
    ),
    "organisations": _(
        "Equal scores: more services delivered first, then pinyin order of the name."
    ),
    "year": _(
        "Equal yearly scores: more services delivered in the year first, then pinyin order "
        "of the name."
    ),
}

COMPONENT_LABELS = {
    "duty_week": _("Duty weeks held"),
    "duty_report": _("Duty reports filed"),
    "service_record": _("Services delivered"),
    "wish_fulfilled": _("Wishes fulfilled"),
    "wish_confirmed": _("Wishes confirmed by the wisher"),
    "activity": _("Activities organised"),
    "rating_star": _("Rating stars received"),
    "meeting": _("Exchange meetings attended"),
}


# --- pinyin order ----------------------------------------------------------------------------


def pinyin_key(name: str) -> str:
    """'王小明' -> 'wangxiaoming' (ASCII text passes through, so stored pinyin is kept)."""
    return "".join(lazy_pinyin(name or "")).lower()


def sort_with_pinyin_ties(rows: list, key, name) -> list:
    """Sort by `key` (ascending), then by the pinyin of `name(row)` among rows with equal keys.

    Pinyin is worked out only for tied rows: converting thousands of names costs seconds.
    """
    rows = sorted(rows, key=key)
    result = []
    for _value, group in groupby(rows, key=key):
        tied = list(group)
        if len(tied) > 1:
            tied.sort(key=lambda row: pinyin_key(name(row)))
        result.extend(tied)
    return result


# --- cache ------------------------------------------------------------------------------------


def cache_version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = int(timezone.now().timestamp())
        cache.add(_VERSION_KEY, version, None)
        version = cache.get(_VERSION_KEY, version)
    return version


def invalidate_cache() -> None:
    """Drop every cached ranking page and provisional payload (they are keyed by version)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, int(timezone.now().timestamp()), None)


def cache_key(*parts: object) -> str:
    # Meeting attendance is written in rota, which cannot call `invalidate_cache`; its stamp
    # in every key makes a recorded or deleted attendance show at once.
    stamp = rota_queries.attendance_stamp()
    return ":".join(["ranking", str(cache_version()), str(stamp), *(str(p) for p in parts)])


# --- monthly points totals --------------------------------------------------------------------


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


# --- computing a month ------------------------------------------------------------------------


def _money(value: Decimal) -> Decimal:
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
        points = _money(getattr(formula, name) * count)
        score += points
        components[name] = {"count": count, "points": str(points), "ids": ids}
    return _money(score), components


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
    branches = []
    for pk, name, kind, members in members_queries.branches_with_active_members():
        points = branch_points.get(pk, 0)
        per_member = _money(Decimal(points) / members) if members else Decimal("0.00")
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
    for rank, row in enumerate(branches, start=1):
        row["rank"] = rank

    records = _organisation_records(first)
    organisations = []
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
    for rank, row in enumerate(organisations, start=1):
        row["rank"] = rank

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


# --- closing ----------------------------------------------------------------------------------


def close_month(*, month: dt.date, by: AbstractUser | None = None) -> tuple[RankingSnapshot, bool]:
    """Publish `month`'s ranking as a frozen snapshot; return (snapshot, created).

    A month can be closed once it is over. Closing again returns the existing snapshot and
    writes nothing; two closers racing end with one snapshot (the month is unique).
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
                published_by=by,
            )
    except IntegrityError:
        # Another closer won the race; its snapshot is the published one.
        return RankingSnapshot.objects.get(month=first), False
    transaction.on_commit(invalidate_cache)
    logger.info(
        "ranking.month_closed",
        extra={"month": payload["month"], "content_hash": snapshot.content_hash},
    )
    return snapshot, True


# --- formulas ---------------------------------------------------------------------------------


@transaction.atomic
def save_formula(*, formula: ScoreFormula, by: AbstractUser | None) -> ScoreFormula:
    """Save new weights that start in a future month; a formula in force is never edited."""
    if formula.pk is not None:
        stored = ScoreFormula.objects.select_for_update().get(pk=formula.pk)
        if stored.is_in_force:
            raise Refused(
                _("This formula is already in force and cannot be changed; add a new one."),
                code="in_force",
            )
    formula.full_clean()
    if formula.created_by_id is None:
        formula.created_by = by
    formula.save()
    transaction.on_commit(invalidate_cache)
    return formula


# --- reading ----------------------------------------------------------------------------------


class MonthRanking:
    """A month's payload and whether it is published (what the views and exports read)."""

    def __init__(self, first: dt.date, payload: dict, snapshot: dict | None):
        self.month = first
        self.payload = payload
        self.snapshot = snapshot  # {"published_at", "content_hash"} or None

    @property
    def is_published(self) -> bool:
        return self.snapshot is not None


def month_payload(first: dt.date) -> MonthRanking | None:
    """The published snapshot of a closed month, else the (cached) provisional ranking.

    Only this month and last month (until it is closed) are provisional; an older month that
    was never published has no ranking (None), rather than one computed long after the fact.
    """
    snap = (
        RankingSnapshot.objects.filter(month=first)
        .values("payload", "published_at", "content_hash")
        .first()
    )
    if snap is not None:
        return MonthRanking(
            first,
            snap["payload"],
            {"published_at": snap["published_at"], "content_hash": snap["content_hash"]},
        )
    if first < previous_month(current_month()):
        return None
    key = cache_key("payload", f"{first:%Y-%m}")
    payload = cache.get(key)
    if payload is None:
        payload = compute_month(first)
        cache.set(key, payload, CACHE_SECONDS)
    return MonthRanking(first, payload, None)


def warm_month(first: dt.date) -> None:
    """Compute an open month's payload into the cache, so no request has to (periodic task)."""
    if not RankingSnapshot.objects.filter(month=first).exists():
        cache.set(cache_key("payload", f"{first:%Y-%m}"), compute_month(first), CACHE_SECONDS * 3)


def consenting_names(member_ids: list[int]) -> dict[int, str]:
    """{member id: masked name} of the given members who consent to be named (one query)."""
    names = members_queries.consenting_names(member_ids)
    return {pk: mask_name(name) for pk, name in names.items()}


def present_volunteers(payload: dict, *, limit: int | None) -> dict:
    """Volunteer rows ready for any output: names only for consenting members, no ids otherwise."""
    rows = payload["volunteers"] if limit is None else payload["volunteers"][:limit]
    names = consenting_names([row["member_id"] for row in rows])
    branch_names = {b["id"]: b["name"] for b in payload["branches"]}
    shown = []
    for row in rows:
        name = names.get(row["member_id"])
        shown.append(
            {
                "rank": row["rank"],
                "named": name is not None,
                "name": name,
                # The breakdown link needs the id; unnamed rows carry none.
                "member_id": row["member_id"] if name is not None else None,
                "branch": branch_names.get(row["branch_id"]) if name is not None else None,
                "points": row["points"],
                "entries": row["entries"],
            }
        )
    total = payload["totals"]["volunteers"]
    # Counted from the month's totals, which stay frozen once the month is closed.
    named = MemberMonthTotal.objects.filter(
        month=dt.date.fromisoformat(payload["month"] + "-01"),
        points__gt=0,
        member__ranking_consent=True,
        member__is_active=True,
    ).count()
    return {
        "rows": shown,
        "total": total,
        "points": payload["totals"]["points"],
        "named": named,
        "unnamed": max(total - named, 0),
    }


def organisation_trend(first: dt.date, *, top: int = 5, months: int = 12) -> dict:
    """Monthly scores of this month's top organisations over the published months up to it.

    One query (organisation rows only, read out of the stored payloads).
    """
    since = first
    for _i in range(months - 1):
        since = previous_month(since)
    rows = list(
        RankingSnapshot.objects.filter(month__gte=since, month__lte=first)
        .order_by("month")
        .values_list("month", "payload__organisations")
    )
    return _trend(rows, top=top)


def _trend(rows: list[tuple[dt.date, list]], *, top: int, order: list[int] | None = None) -> dict:
    if not rows:
        return {"months": [], "series": []}
    if order is None:
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


# --- the year ---------------------------------------------------------------------------------


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
        entry["months_score"] = str(_money(months_total))
        entry["meetings"] = {
            "count": len(meeting_ids),
            "points": str(_money(meeting_points)),
            "ids": meeting_ids,
        }
        entry["score"] = str(_money(months_total + meeting_points))
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
    key = cache_key("year", year)
    data = cache.get(key)
    if data is None:
        data = compute_year(year)
        if data is None:
            return None
        cache.set(key, data, CACHE_SECONDS)
    return data
