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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
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


def uncounted_page(queryset: QuerySet, page: str | int | None, per_page: int) -> UncountedPage:
    """Page `page` (1 when absent, "last" unsupported) of an ordered queryset; 404 if invalid."""
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= MAX_PAGE:
        raise Http404
    offset = (number - 1) * per_page
    # One row more than a page tells whether an older page exists.
    ids = queryset.values("pk")[offset : offset + per_page + 1]
    rows = list(queryset.filter(pk__in=ids))
    if not rows and number > 1:
        raise Http404
    return UncountedPage(rows[:per_page], number, has_next=len(rows) > per_page)
