"""What pages read: a month's payload (published or provisional), names, the trend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import JSONField, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import MD5, Cast
from django.utils.translation import gettext_lazy as _

from deqing_hub.models import MemberMonthTotal, RankingSnapshot
from deqing_hub.ranking.cache import CACHE_SECONDS, cache_key, cached, store
from deqing_hub.ranking.months import compute_month
from deqing_hub.ranking.summary import organisation_trend, summarise
from members import queries as members_queries
from members.masking import mask_name
from members.periods import current_month, previous_month

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

# A stored summary's MD5, counted by the database: it moves whenever the summary is rewritten.
_FINGERPRINT = MD5(Cast("summary", TextField()))


def _json_paths() -> bool:
    """Whether the database cuts a snapshot's JSON (PostgreSQL's JSON path queries). On SQLite
    (`make run` with nothing configured: one office's data) the payload is read whole and cut
    here, with the same results."""
    return connection.vendor == "postgresql"


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


class MonthRanking:
    """A month's payload and whether it is published (what the views and exports read)."""

    def __init__(self, first: dt.date, payload: dict, snapshot: dict | None, fingerprint: str = ""):
        self.month = first
        self.payload = payload
        self.snapshot = snapshot  # {"published_at", "content_hash"} or None
        # A stored summary's MD5 (`published_summary`): what was drawn from it can be kept.
        self.fingerprint = fingerprint

    @property
    def is_published(self) -> bool:
        return self.snapshot is not None


def month_payload(
    first: dt.date, *, volunteers: int | None = None, organisations: int | None = None
) -> MonthRanking | None:
    """The published snapshot of a closed month, else the (cached) provisional ranking.

    Only this month and last month (until it is closed) are provisional; an older month that
    was never published has no ranking (None), rather than one computed long after the fact.
    With `volunteers`, the payload holds only the first that many volunteer rows: at county
    scale a month's 10,000 volunteers are most of its 1.1 MB, and decoding them cost about
    130 ms of every cold /ranking/ that shows 50 (PostgreSQL cuts them off instead). Likewise
    `organisations` (500 of them: 290 KB); the payload then says how many there are in
    `organisation_count`. Provisional months are cached whole and not trimmed.
    """
    snapshots = RankingSnapshot.objects.filter(month=first)
    snap: dict[str, Any] | None
    if volunteers is None and organisations is None:
        whole = snapshots.values("payload", "published_at", "content_hash").first()
        snap = dict(whole) if whole else None
    elif not _json_paths():
        whole = snapshots.values("payload", "published_at", "content_hash").first()
        snap = dict(whole) if whole else None
        if snap is not None:
            payload = dict(snap["payload"])
            payload["organisation_count"] = len(payload["organisations"])
            if volunteers is not None:
                payload["volunteers"] = payload["volunteers"][:volunteers]
            if organisations is not None:
                payload["organisations"] = payload["organisations"][:organisations]
            snap["payload"] = payload
    else:
        cut = (
            snapshots.annotate(
                # Constant statements; the counts go as parameters.
                head=RawSQL(
                    "payload - 'volunteers' - 'organisations'", (), output_field=JSONField()
                ),
                first_volunteers=_first_rows("volunteers", volunteers),
                first_organisations=_first_rows("organisations", organisations),
                organisation_count=RawSQL("jsonb_array_length(payload->'organisations')", ()),
            )
            .values(
                "head",
                "first_volunteers",
                "first_organisations",
                "organisation_count",
                "published_at",
                "content_hash",
            )
            .first()
        )
        snap = cut and {
            **dict(cut),
            "payload": {
                **cut["head"],
                "volunteers": cut["first_volunteers"],
                "organisations": cut["first_organisations"],
                "organisation_count": cut["organisation_count"],
            },
        }
    if snap is not None:
        return MonthRanking(first, snap["payload"], _published(snap))
    return _provisional(first)


def month_summary(first: dt.date) -> MonthRanking | None:
    """The month's page summary (`summary.summarise`) as the payload of a `MonthRanking`.

    A published month's is stored with its snapshot: one small column of one row. An open
    month's is made from its cached provisional payload; an older month never published has
    none (None), as in `month_payload`.
    """
    published = published_summary(first)
    if published is not None:
        return published
    return provisional_summary(first)


def provisional_summary(first: dt.date) -> MonthRanking | None:
    """`month_summary` of a month known not to be closed (no query for its snapshot)."""
    data = _provisional(first)
    if data is None:
        return None
    return MonthRanking(first, summarise(data.payload, organisation_trend(first)), None)


class PublishedStamp(NamedTuple):
    """What tells one published summary from another: its MD5, the snapshot's hash and
    publication time (a month deleted and closed again)."""

    fingerprint: str
    content_hash: str
    published_at: str


def published_stamp(first: dt.date) -> PublishedStamp | None:
    """The month's `PublishedStamp` (one query, nothing decoded); None if it is not closed.

    Written in SQL (the fingerprint as `_FINGERPRINT` counts it, on PostgreSQL and SQLite):
    every cold month page runs it, and building it with the ORM cost 0.45 ms of CPU against
    0.09 ms (docs/performance.md, "The cold ranking's outer page")."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MD5(CAST({quote('summary')} AS text)), {quote('content_hash')}, "  # noqa: S608 - names from the model
            f"CAST({quote('published_at')} AS text) FROM {quote(RankingSnapshot._meta.db_table)} "
            f"WHERE {quote('month')} = %s",
            [first],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    fingerprint, content_hash, published_at = row
    return PublishedStamp(fingerprint, content_hash, published_at)


def published_summary(first: dt.date) -> MonthRanking | None:
    """A published month's stored page summary (one query); None if the month is not closed.

    With the summary's MD5 (`MonthRanking.fingerprint`), counted by PostgreSQL: the summary
    is rewritten when an earlier month is closed later (its trend), the hash moves with it."""
    snap = (
        RankingSnapshot.objects.filter(month=first)
        .annotate(fingerprint=_FINGERPRINT)
        .values("summary", "published_at", "content_hash", "fingerprint")
        .first()
    )
    if snap is None:
        return None
    return MonthRanking(first, snap["summary"], _published(snap), snap["fingerprint"])


def _published(snap: Mapping[str, Any]) -> dict:
    return {"published_at": snap["published_at"], "content_hash": snap["content_hash"]}


def _provisional(first: dt.date) -> MonthRanking | None:
    if first < previous_month(current_month()):
        return None
    payload = cached(cache_key("payload", f"{first:%Y-%m}"), lambda: compute_month(first))
    return MonthRanking(first, payload, None)


def _first_rows(key: str, count: int | None) -> RawSQL:
    """The payload's list `key` (a constant of this module), cut to its first `count` rows."""
    if count is None:
        return RawSQL(f"payload->'{key}'", (), output_field=JSONField())  # noqa: S611
    return RawSQL(  # noqa: S611
        f"jsonb_path_query_array(payload, '$.{key}[0 to $last]', "
        "jsonb_build_object('last', %s::int))",
        (count - 1,),
        output_field=JSONField(),
    )


def warm_month(first: dt.date) -> None:
    """Compute an open month's payload into the cache, so no request has to (periodic task)."""
    if not RankingSnapshot.objects.filter(month=first).exists():
        store(cache_key("payload", f"{first:%Y-%m}"), compute_month(first), CACHE_SECONDS * 3)


def consenting_names(member_ids: list[int]) -> dict[int, str]:
    """{member id: masked name} of the given members who consent to be named (one query)."""
    names = members_queries.consenting_names(member_ids)
    return {pk: mask_name(name) for pk, name in names.items()}


def present_volunteers(payload: dict, *, limit: int | None) -> dict:
    """Volunteer rows ready for any output (`present_rows`), with the month's counts."""
    rows = payload["volunteers"] if limit is None else payload["volunteers"][:limit]
    branch_names = {b["id"]: b["name"] for b in payload["branches"]}
    shown = present_rows([{**row, "branch": branch_names.get(row["branch_id"])} for row in rows])
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


def present_rows(rows: list[dict], *, names: dict[int, str] | None = None) -> list[dict]:
    """Volunteer rows (each with its branch's name) ready for any output: names only for
    consenting members, no ids otherwise (one query, none with `names` already read by
    `consenting_names`)."""
    if names is None:
        names = consenting_names([row["member_id"] for row in rows])
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
                "branch": row["branch"] if name is not None else None,
                "points": row["points"],
                "entries": row["entries"],
            }
        )
    return shown


def own_place(payload: dict, member_id: int) -> dict | None:
    """A volunteer's own rank, points and the number ranked, or None without points that month.

    Shown only to that member, named or not: it is their own figure.
    """
    row = next((v for v in payload["volunteers"] if v["member_id"] == member_id), None)
    if row is None:
        return None
    return {"rank": row["rank"], "points": row["points"], "total": payload["totals"]["volunteers"]}


def own_place_in(first: dt.date, member_id: int) -> dict | None:
    """`own_place` in month `first`, cached per member under the ranking's version.

    A member's request read the month's whole 1.1 MB payload (75 ms at county scale) to show
    one line. A published month is asked for that one row in the database (a JSON path
    query: nothing else leaves PostgreSQL); an open month reads its cached payload.
    """
    boxed = cached(
        cache_key("own-place", f"{first:%Y-%m}", member_id),
        lambda: {"place": _own_place_in(first, member_id)},
    )
    return boxed["place"]


def _own_place_in(first: dt.date, member_id: int) -> dict | None:
    if not _json_paths():
        data = month_payload(first)
        return own_place(data.payload, member_id) if data is not None else None
    row = (
        RankingSnapshot.objects.filter(month=first)
        .annotate(
            row=RawSQL(
                "jsonb_path_query_first(payload, '$.volunteers[*] ? (@.member_id == $id)', "
                "jsonb_build_object('id', %s::int))",
                (member_id,),
                output_field=JSONField(),
            )
        )
        .values_list("row", "payload__totals__volunteers")
        .first()
    )
    if row is not None:
        volunteer, total = row
        if volunteer is None:
            return None
        return {"rank": volunteer["rank"], "points": volunteer["points"], "total": total}
    data = month_payload(first)
    return own_place(data.payload, member_id) if data is not None else None
