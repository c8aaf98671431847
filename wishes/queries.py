"""Read queries the wish wall offers to the cross-app pages (home dashboard, ranking).

Each runs one query whatever the data size. A wish counts for every organisation whose claim
was still active when it was fulfilled (several organisations may grant one wish together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import QuerySet

from members import figures_version
from wishes.models import Claim, Wish

if TYPE_CHECKING:
    from django.http import HttpRequest

    from members.models import Member, User

# The wall's filter value (`/wishes/?status=granted`) that lists what `granted_wishes` lists.
GRANTED_WALL_FILTER = "granted"

# A wish is granted once an organisation fulfilled it, whether or not the wisher confirmed yet.
GRANTED_STATUSES = [Wish.Status.FULFILLED, Wish.Status.CONFIRMED]

# Wishes and claims on /me/; all of them are on /wishes/mine/ and /wishes/for-organisations/.
ME_PANEL_ROWS = 5
# The wall's granted count is kept this long at most (a change to a wish replaces it at once).
GRANTED_COUNT_SECONDS = 300


# The models whose rows the home dashboard counts or shows: saving or deleting one moves its
# cached figures on (members.figures_version, registered by deqing_hub at start-up).
DASHBOARD_MODELS = (Wish,)


def wishes_granted_count() -> int:
    """Wishes fulfilled so far (confirmed by the wisher or waiting for the confirmation): the
    home figure and the wall's granted count, both what `granted_wishes` lists."""
    return Wish.objects.granted().count()


def cached_granted_count() -> int:
    """`wishes_granted_count()` cached under the home figures' version (members.figures_version,
    moved by every change to a wish): the wall counted 50,000 wishes on every page (3 ms)."""
    key = f"wishes:granted-count:{figures_version.version()}"
    count: int | None = cache.get(key)
    if count is None:
        count = wishes_granted_count()
        cache.set(key, count, GRANTED_COUNT_SECONDS)
    return count


def granted_wishes() -> QuerySet[Wish]:
    """The wishes `wishes_granted_count` counts, the most recently fulfilled first."""
    return Wish.objects.granted().order_by("-fulfilled_at", "-pk")


def _granting_claims() -> QuerySet[Claim]:
    return Claim.objects.active().filter(wish__status__in=GRANTED_STATUSES)


def fulfilled_wish_ids_by_organisation(
    start: dt.datetime, end: dt.datetime
) -> dict[int, list[int]]:
    """{organisation id: [ids of the wishes it fulfilled in [start, end)]} (a ranking breakdown)."""
    rows = _granting_claims().filter(wish__fulfilled_at__gte=start, wish__fulfilled_at__lt=end)
    return _wish_ids(rows)


def confirmed_wish_ids_by_organisation(
    start: dt.datetime, end: dt.datetime
) -> dict[int, list[int]]:
    """{organisation id: [ids of its wishes the wishers confirmed in [start, end)]}."""
    rows = _granting_claims().filter(
        wish__status=Wish.Status.CONFIRMED,
        wish__confirmed_at__gte=start,
        wish__confirmed_at__lt=end,
    )
    return _wish_ids(rows)


def _wish_ids(claims: QuerySet[Claim]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for wish_id, org_id in claims.values_list("wish_id", "organisation_id"):
        found.setdefault(org_id, []).append(wish_id)
    return found


def wishes_with_ids(ids: Iterable[int]) -> list[Wish]:
    """The given wishes, in the default order (a ranking breakdown lists the counted wishes)."""
    return list(Wish.objects.filter(pk__in=list(ids)))


# --- The staff workspace: what waits, within the user's admin scope ----------------------------


def wishes_to_verify_count(user: User) -> int:
    """Submissions waiting for a moderator (the Wish admin's status filter)."""
    return Wish.objects.managed_by(user).waiting().count()


def overdue_wishes_count(user: User) -> int:
    """Wishes unclaimed too long or past a promised date (the Wish admin's overdue filter)."""
    return Wish.objects.managed_by(user).overdue().count()


def overdue_claims_count(user: User) -> int:
    """Claims past their promised date (the Claim admin's overdue filter)."""
    return Claim.objects.managed_by(user).overdue().count()


def me_panel_context(request: HttpRequest, member: Member | None) -> dict:
    """The /me/ block (members.panels): my latest wishes and the active claims I made for an
    organisation. Two queries, for members and public users alike (both may post wishes)."""
    return {
        "wishes": list(
            Wish.objects.filter(wisher_id=request.user.pk)
            .select_related("category")
            .order_by("-created_at", "-pk")[:ME_PANEL_ROWS]
        ),
        "claims": list(
            Claim.objects.active()
            .filter(claimed_by_id=request.user.pk)
            .select_related("wish", "organisation")
            .order_by("-created_at", "-pk")[:ME_PANEL_ROWS]
        ),
    }
