"""Wish cards as plain values, and the wall's page of them read as rows.

The wall renders twelve cards on nearly every request at county scale (a random page of
3,000: the page cache rarely has it). Read as model instances with a prefetch of the claims,
the page's twelve wishes, their wishers, categories, claims and organisations were some sixty
objects built and linked per request and two queries compiled, the ORM half of the page's
CPU. `wall_rows` reads the columns a card draws as tuples, the active claims included as JSON
in the wish's own row (`_ClaimsJson`): one query, no model instance, its two subqueries SQL
text rather than querysets compiled again per request. The other lists of cards
(my wishes, the organisations' page) keep their model instances (`card_of`): a card is drawn
from a `Card` either way (wishes.templatetags.wish_cards)"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import CharField, Field, Model, OuterRef, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL

from rota.models import Organisation
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


def _columns() -> dict[str, str]:
    """The tables and columns the wall's two row subqueries name, from the models."""

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        if not isinstance(field, Field) or not field.column:  # a reverse relation: no column
            raise LookupError(f"{model.__name__}.{name} has no column")
        return field.column

    return {
        "wish": Wish._meta.db_table,
        "photo": WishPhoto._meta.db_table,
        "thumbnail": column(WishPhoto, "thumbnail"),
        "photo_wish": column(WishPhoto, "wish"),
        "event": column(WishPhoto, "event"),
        "position": column(WishPhoto, "position"),
        "claim": Claim._meta.db_table,
        "claim_wish": column(Claim, "wish"),
        "claim_organisation": column(Claim, "organisation"),
        "promised": column(Claim, "promised_on"),
        "released": column(Claim, "released_at"),
        "created": column(Claim, "created_at"),
        "organisation": Organisation._meta.db_table,
        "name": column(Organisation, "name"),
        "short_name": column(Organisation, "short_name"),
    }


# The wall's two per-row subqueries as SQL text (`RawSQL`, the same in both databases but
# for the JSON aggregate): as ORM subqueries each request compiled them again, which was a
# third of the page's ORM time. They read the outer row by its table name, as the wall's
# query names it (`wall_rows` is never itself a subquery with these columns selected).
_FIRST_THUMBNAIL = (
    'SELECT p."{thumbnail}" FROM "{photo}" p WHERE p."{photo_wish}" = "{wish}"."id"'
    ' AND p."{event}" IS NULL ORDER BY p."{position}", p."id" LIMIT 1'
)
_CLAIMS = (
    'FROM "{claim}" c INNER JOIN "{organisation}" o ON o."id" = c."{claim_organisation}"'
    ' WHERE c."{claim_wish}" = "{wish}"."id" AND c."{released}" IS NULL'
)
_CLAIMS_SQLITE = (
    "SELECT json_group_array(json_array(r.promised, r.name, r.short_name)) FROM"
    ' (SELECT c."{promised}" AS promised, o."{name}" AS name, o."{short_name}" AS short_name '
    + _CLAIMS
    + ' ORDER BY c."{created}", c."id") r'
)
_CLAIMS_POSTGRESQL = (
    'SELECT json_agg(json_build_array(c."{promised}", o."{name}", o."{short_name}")'
    ' ORDER BY c."{created}", c."id")::text ' + _CLAIMS
)


class _ClaimsJson(RawSQL):
    """A wish's active claims in its own row, as JSON text: `[[promised_on, organisation name,
    short name], ...]`, oldest claim first (Claim's order, as `card_queryset` prefetches them).
    A second query for the page's claims cost as much CPU as the page's own query; PostgreSQL
    has `json_agg`, SQLite `json_group_array` over the ordered claims (both portal databases:
    a vendor switch). No claim: NULL (PostgreSQL) or `[]` (SQLite)."""

    def __init__(self, columns: dict[str, str]) -> None:
        self.postgresql = _CLAIMS_POSTGRESQL.format(**columns)
        super().__init__(_CLAIMS_SQLITE.format(**columns), (), output_field=TextField())

    def as_postgresql(self, compiler, connection, **extra_context):
        return f"({self.postgresql})", []


# A card's own columns: `Wish.is_overdue` (status, published_at and the claims' promised_on),
# `Wish.public_wisher_name` (show_name, the wisher's names), the title, date and category.
# `wishes.views.card_queryset` loads these (`only`) for the lists that keep model instances.
CARD_FIELDS = (
    "title",
    "status",
    "created_at",
    "published_at",
    "show_name",
    "wisher__first_name",
    "wisher__last_name",
    "category__name",
)

# A wall row: these columns in this order (`_card` unpacks them).
_ROW = ("pk", *CARD_FIELDS, "card_thumbnail", "card_claims")


def wall_rows() -> QuerySet:
    """The public wishes as rows of a card's columns, their claims included (filter them, page
    them, then `wall_cards`). A copy (`all()`) of one queryset built once: building it cost as
    much as compiling it."""
    return _wall_rows().all()


@functools.cache
def _wall_rows() -> QuerySet:
    columns = _columns()
    thumbnail = RawSQL(  # noqa: S611 - the models' table and column names, no input
        _FIRST_THUMBNAIL.format(**columns), (), output_field=CharField()
    )
    return (
        Wish.objects.public()
        .annotate(card_thumbnail=thumbnail, card_claims=_ClaimsJson(columns))
        .values_list(*_ROW)
    )


def wall_keys() -> QuerySet:
    """The same wishes as `wall_rows`, in the same order, without a card's columns: the page's
    ids and the anchors are read from these (`members.pagination`'s `keys`), on the wall's
    index rather than over the joined rows. A copy of one queryset built once, as above."""
    return _wall_keys().all()


@functools.cache
def _wall_keys() -> QuerySet:
    return Wish.objects.public()


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
