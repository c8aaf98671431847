"""Pages of a long public list without counting it and without OFFSET over joined rows.

Django's Paginator counts every matching row (a COUNT over tens of thousands of wishes at
county scale) and walks OFFSET over the full query, joins and annotations included. Here:

1. no count: "Page N", newer and older links - what a phone user follows on a feed - and a
   page past the end is a 404, as with Django's paginator;
2. the page's ids alone are read with OFFSET, in the list's order, so PostgreSQL walks an
   index (index-only where the index covers filter and order) rather than joined rows;
3. the page's rows are then fetched by those ids in the same query (`pk__in` a sliced
   subquery), so select_related, annotations and prefetches run for one page only.

Page numbers, not keyset cursors: the URLs stay `?page=N` (bookmarks, the benchmark's random
page), and a page near the front, where readers are, costs as little as a cursor would.

A deep page still walks OFFSET index entries (page 2,000 of the wall: 24,000, 5-10 ms a
request at county scale). `anchored_page` keeps, in the cache, where each page starts (the
ordering values of its first row, found for every page in one scan) and reads a deep page from
its anchor, as a keyset cursor would; the caller keys the anchors on a version that moves with
the rows, so a cached anchor never points into a list that has changed since.

Finding the anchors is one scan of the whole list (100-300 ms at county scale on a busy
machine), needed again whenever they are missing: the version moved, they expired, Redis lost
them. Only one request finds them (`cache.add` lock); a request that finds them missing while
another is finding them reads its page with OFFSET instead of waiting or scanning too. Before,
every worker whose request came in meanwhile ran the same scan at once, and every connection
queued behind them waited: the wall's p99 (issue #20, docs/performance.md "The wish wall's
p99 tail").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

# Deeper than any reader goes; refuses page numbers that would overflow OFFSET.
MAX_PAGE = 100_000


class UncountedPage(Sequence):
    """What templates use of Django's Page, without `paginator` (there is no count)."""

    paginator = None

    def __init__(self, object_list: list[Any], number: int, has_next: bool) -> None:
        self.object_list = object_list
        self.number = number
        self._has_next = has_next

    def __getitem__(self, index):
        return self.object_list[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page_number(page: str | int | None) -> int:
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404
    return number


def uncounted_page(
    queryset: QuerySet, page: str | int | None, per_page: int, *, keys: QuerySet | None = None
) -> UncountedPage:
    """Page `page` (1 when absent, "last" unsupported) of an ordered queryset; 404 if invalid.

    `keys`: the same list (same filters, same order) without the columns the page joins in,
    which the page's ids are read from: OFFSET over the joined rows sorted every row it walked
    past (the wall's page 2,000: 40-70 ms against 3-10 ms on the wall's index)."""
    number = _page_number(page)
    offset = (number - 1) * per_page
    # One row more than a page tells whether an older page exists.
    ids = (queryset if keys is None else keys).values("pk")[offset : offset + per_page + 1]
    rows = list(queryset.filter(pk__in=ids))
    if not rows and number > 1:
        raise Http404
    return UncountedPage(rows[:per_page], number, has_next=len(rows) > per_page)


# Pages this near the front are read with OFFSET: cheap there, and a reader of the first pages
# never waits for the anchors to be found after a change.
FRONT_PAGES = 10
# Anchors are stored in chunks, so a request reads a few hundred bytes, not every page's anchor.
ANCHORS_PER_CHUNK = 100
ANCHOR_SECONDS = 600
# Longer than any scan takes, much shorter than ANCHOR_SECONDS; if the finder dies, the next
# request after this finds them.
ANCHOR_LOCK_SECONDS = 30


def anchor_keys(page: str | int | None, *, key: str) -> list[str]:
    """The cache keys `anchored_page` reads for `page` (none for a front page or an invalid
    number), for a caller that reads them with its own in one `get_many` (`found=`)."""
    try:
        number = _page_number(page)
    except Http404:
        return []
    if number <= FRONT_PAGES:
        return []
    return [f"{key}:{(number - 1) // ANCHORS_PER_CHUNK}", f"{key}:pages"]


def anchored_page(
    queryset: QuerySet,
    page: str | int | None,
    per_page: int,
    *,
    field: str,
    key: str,
    found: dict[str, Any] | None = None,
    keys: QuerySet | None = None,
) -> UncountedPage:
    """`uncounted_page`, but a page past FRONT_PAGES starts from its cached anchor.

    `queryset` must be ordered by `-field, -pk` (newest first); `key` names this list (its
    filters) and must hold a version that moves whenever a row joins, leaves or moves in it.
    `found`: what the caller already read of `anchor_keys(page, key=key)`; else read here.
    `keys`: as for `uncounted_page`; the anchors are found in it too.
    Anchors missing: this request finds and stores them, unless another is already doing so;
    then this page is read with OFFSET.
    """
    number = _page_number(page)
    if number <= FRONT_PAGES:
        return uncounted_page(queryset, number, per_page, keys=keys)
    chunk_key, pages_key = anchor_keys(number, key=key)
    if found is None:
        found = cache.get_many([chunk_key, pages_key])
    else:
        found = {k: found[k] for k in (chunk_key, pages_key) if k in found}
    if pages_key not in found or (chunk_key not in found and number <= found[pages_key]):
        lock = f"{key}:finding"
        # The lock read back: with Redis down the resilient cache's `add` answers True (rate
        # limits fail open) and `get` None, and every request would then scan at once.
        if not cache.add(lock, 1, ANCHOR_LOCK_SECONDS) or cache.get(lock) is None:
            # Another request is finding them (or the cache is down): this page by OFFSET
            # (3-15 ms at the wall's deepest, on `keys`), not the same scan again, nor waiting.
            return uncounted_page(queryset, number, per_page, keys=keys)
        try:
            found = _store_anchors(queryset if keys is None else keys, per_page, field, key)
        except BaseException:
            cache.delete(lock)  # the next request finds them
            raise
        # The lock is left to expire: a request that found them missing just before they were
        # stored reads its page by OFFSET rather than scanning again (seen once in three
        # empties of the cache under load when the lock was dropped at once). A new version
        # has a lock of its own.
    if number > found[pages_key]:
        raise Http404
    value, pk = found[chunk_key][(number - 1) % ANCHORS_PER_CHUNK]
    # The index range starts at the anchor (`field <= value`); the OR then drops the rows of the
    # same instant that sort before it.
    rows = list(
        queryset.filter(**{f"{field}__lte": value}).filter(
            Q(**{f"{field}__lt": value}) | Q(pk__lte=pk)
        )[:per_page]
    )
    return UncountedPage(rows, number, has_next=number < found[pages_key])


def _store_anchors(queryset: QuerySet, per_page: int, field: str, key: str) -> dict[str, Any]:
    """Every page's anchor in one scan (the first row of each page: row numbers 1, 13, 25...)."""
    numbered = (
        queryset.prefetch_related(None)
        .order_by()
        .annotate(row=Window(RowNumber(), order_by=(F(field).desc(), F("pk").desc())))
        .annotate(slot=F("row") % per_page)
        .filter(slot=1 % per_page)
        .values_list("row", field, "pk")
    )
    anchors = [(value, pk) for _row, value, pk in sorted(numbered)]
    chunks = {
        f"{key}:{start // ANCHORS_PER_CHUNK}": anchors[start : start + ANCHORS_PER_CHUNK]
        for start in range(0, len(anchors), ANCHORS_PER_CHUNK)
    }
    found: dict[str, Any] = {**chunks, f"{key}:pages": len(anchors)}
    cache.set_many(found, ANCHOR_SECONDS)
    return found
