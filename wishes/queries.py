"""Read queries the wish wall offers to the cross-app pages (home dashboard, ranking).

Each runs one query whatever the data size. A wish counts for every organisation whose claim
was still active when it was fulfilled (several organisations may grant one wish together).
"""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import ExtractMonth

from wishes.models import Claim, Wish


def wishes_granted_count() -> int:
    """Wishes fulfilled so far (confirmed by the wisher or waiting for the confirmation)."""
    return Wish.objects.granted().count()


def wishes_published_count() -> int:
    """Wishes that have been on the public wall (in any later state)."""
    return Wish.objects.public().count()


def _granting_claims():
    return Claim.objects.active().filter(
        wish__status__in=[Wish.Status.FULFILLED, Wish.Status.CONFIRMED]
    )


def fulfilled_per_organisation(year: int, month: int) -> dict[int, int]:
    """{organisation id: wishes it fulfilled in the month} (organisations with none omitted)."""
    rows = (
        _granting_claims()
        .filter(wish__fulfilled_at__year=year, wish__fulfilled_at__month=month)
        .values("organisation_id")
        .annotate(n=Count("wish", distinct=True))
        .values_list("organisation_id", "n")
    )
    return dict(rows)


def confirmed_per_organisation(year: int, month: int) -> dict[int, int]:
    """{organisation id: its wishes the wishers confirmed (or were auto-confirmed) in the month}."""
    rows = (
        _granting_claims()
        .filter(
            wish__status=Wish.Status.CONFIRMED,
            wish__confirmed_at__year=year,
            wish__confirmed_at__month=month,
        )
        .values("organisation_id")
        .annotate(n=Count("wish", distinct=True))
        .values_list("organisation_id", "n")
    )
    return dict(rows)


def fulfilled_per_organisation_per_month(year: int) -> dict[tuple[int, int], int]:
    """{(organisation id, month): wishes fulfilled} for a year, in one query."""
    rows = (
        _granting_claims()
        .filter(wish__fulfilled_at__year=year)
        .annotate(month=ExtractMonth("wish__fulfilled_at"))
        .values("organisation_id", "month")
        .annotate(n=Count("wish", distinct=True))
    )
    return {(row["organisation_id"], row["month"]): row["n"] for row in rows}


def confirmed_per_organisation_per_month(year: int) -> dict[tuple[int, int], int]:
    """{(organisation id, month): wishes confirmed} for a year, in one query."""
    rows = (
        _granting_claims()
        .filter(wish__status=Wish.Status.CONFIRMED, wish__confirmed_at__year=year)
        .annotate(month=ExtractMonth("wish__confirmed_at"))
        .values("organisation_id", "month")
        .annotate(n=Count("wish", distinct=True))
    )
    return {(row["organisation_id"], row["month"]): row["n"] for row in rows}
