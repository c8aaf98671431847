"""Wish cards as plain values, and the wall's page of them read as rows.

The wall renders twelve cards on nearly every request at county scale (a random page of
3,000: the page cache rarely has it). Read as model instances with a prefetch of the claims,
the page's twelve wishes, their wishers, categories, claims and organisations were some sixty
objects built and linked per request and two queries compiled, the ORM half of the page's
CPU. `wall_rows` reads the columns a card draws as tuples, the active claims included as JSON
in the wish's own row (`_ClaimsJson`): one query, no model instance. The other lists of cards
(my wishes, the organisations' page) keep their model instances (`card_of`): a card is drawn
from a `Card` either way (wishes.templatetags.wish_cards)"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import F, OuterRef, QuerySet, Subquery, TextField

from wishes.models import Claim, Wish, WishPhoto


class Card(NamedTuple):
    """What a card draws (and what the wall's tests read: pk, title, status, is_overdue)."""

    pk: int
    title: str
    status: str
    is_overdue: bool
    thumbnail: str | None  # the first photo's thumbnail, if any
    category: str
    wisher_name: str  # `Wish.public_wisher_name`
    created_at: dt.datetime
    claimed_by: tuple[str, ...]  # the active claims' organisations, oldest claim first


def card_of(wish: Wish) -> Card:
    """A wish of `wishes.views.card_queryset` (its first thumbnail and active claims)."""
    return Card(
        pk=wish.pk,
        title=wish.title,
        status=wish.status,
        is_overdue=wish.is_overdue,
        thumbnail=wish.card_thumbnail,  # type: ignore[attr-defined]
        category=wish.category.name,
        wisher_name=wish.public_wisher_name,
        created_at=wish.created_at,
        claimed_by=tuple(str(c.organisation) for c in wish.active_claims),  # type: ignore[attr-defined]
    )


def first_thumbnail() -> Subquery:
    """The wish's first photo's thumbnail (not an event's photo), as a column of its row."""
    return Subquery(
        WishPhoto.objects.filter(wish=OuterRef("pk"), event__isnull=True)
        .order_by("position", "pk")
        .values("thumbnail")[:1]
    )


class _ClaimsJson(Subquery):
    """A wish's active claims in its own row, as JSON text: `[[promised_on, organisation name,
    short name], ...]`, oldest claim first (Claim's order, as `card_queryset` prefetches them).
    A second query for the page's claims cost as much CPU as the page's own query; PostgreSQL
    has `json_agg`, SQLite `json_group_array` (both portal databases: a vendor switch). No
    claim: NULL (PostgreSQL) or `[]` (SQLite)."""

    template = (
        "(SELECT json_group_array(json_array(c.claim_promised, c.claim_name, c.claim_short_name))"
        " FROM (%(subquery)s) c)"
    )

    def __init__(self) -> None:
        # Named annotations: the outer SELECT reads the columns by these names.
        claims = (
            Claim.objects.active()
            .filter(wish=OuterRef("pk"))
            .order_by("created_at", "pk")  # SQLite aggregates the rows in this order
            .annotate(
                claim_created=F("created_at"),
                claim_id=F("pk"),
                claim_promised=F("promised_on"),
                claim_name=F("organisation__name"),
                claim_short_name=F("organisation__short_name"),
            )
            .values("claim_created", "claim_id", "claim_promised", "claim_name", "claim_short_name")
        )
        super().__init__(claims, output_field=TextField())

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template=(
                "(SELECT json_agg(json_build_array(c.claim_promised, c.claim_name,"
                " c.claim_short_name) ORDER BY c.claim_created, c.claim_id)::text"
                " FROM (%(subquery)s) c)"
            ),
            **extra_context,
        )


# A wall row: these columns in this order (`_card` unpacks them).
_ROW = (
    "pk",
    "title",
    "status",
    "created_at",
    "published_at",
    "show_name",
    "wisher__first_name",
    "wisher__last_name",
    "category__name",
    "card_thumbnail",
    "card_claims",
)


def wall_rows() -> QuerySet:
    """The public wishes as rows of a card's columns, their claims included (filter them, page
    them, then `wall_cards`). A copy (`all()`) of one queryset built once: building it cost as
    much as compiling it."""
    return _wall_rows().all()


@functools.cache
def _wall_rows() -> QuerySet:
    return (
        Wish.objects.public()
        .annotate(card_thumbnail=first_thumbnail(), card_claims=_ClaimsJson())
        .values_list(*_ROW)
    )


def wall_cards(rows: Iterable[tuple[Any, ...]]) -> list[Card]:
    """The page's rows (`wall_rows`) as cards."""
    return [_card(row) for row in rows]


def _card(row: tuple[Any, ...]) -> Card:
    pk, title, status, created_at, published_at, show_name, first, last, category, thumb, js = row
    claims = json.loads(js) if js else ()
    return Card(
        pk=pk,
        title=title,
        status=status,
        is_overdue=Wish.overdue(
            status, published_at, [dt.date.fromisoformat(promised) for promised, *_ in claims]
        ),
        thumbnail=thumb,
        category=category,
        wisher_name=Wish.public_name(show_name, first, last),
        created_at=created_at,
        # Organisation.__str__
        claimed_by=tuple(short_name or name for _promised, name, short_name in claims),
    )
