"""Read-only figures of the points app for the dashboard, the ranking and other apps."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from members.periods import month_bounds_at
from members.queries import KindCount, kind_counts
from points.models import Account, Entry, Item, Stock, Voucher

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from members.models import Member, User


# Vouchers whose points are spent: collected, or issued and waiting to be collected.
SPENT_STATUSES = [Voucher.Status.ISSUED, Voucher.Status.USED]
# Vouchers with their QR code on /me/; the rest are on /points/.
ME_PANEL_VOUCHERS = 3


def points_earned_by_member(start: datetime, end: datetime) -> dict[int, int]:
    """Points earned per member pk from `start` (inclusive) to `end` (exclusive).

    Only earned points count (not refunds or staff adjustments); members with none are absent.
    A month's or a year's bounds come from `members.periods`.
    """
    rows = (
        Entry.objects.filter(kind=Entry.Kind.EARN, created_at__gte=start, created_at__lt=end)
        .values("account__member_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["account__member_id"]: row["total"] for row in rows}


class EarnedRow(TypedDict):
    member_id: int
    points: int
    entries: int


def earned_between(start: datetime, end: datetime) -> list[EarnedRow]:
    """[{member_id, points, entries}] of the points each member earned in [start, end).

    `entries` counts the ledger entries (occasions served). One grouped query; members who
    earned nothing are absent. A month's bounds come from `members.periods.month_bounds`.
    """
    return list(
        Entry.objects.filter(kind=Entry.Kind.EARN, created_at__gte=start, created_at__lt=end)
        .values(member_id=F("account__member_id"))
        .annotate(points=Sum("amount"), entries=Count("pk"))
        .order_by()
    )


def last_entry_id() -> int:
    """The id of the newest ledger entry (0 for an empty ledger): where a closed month stops."""
    return Entry.objects.aggregate(m=Max("pk"))["m"] or 0


def redeemed_vouchers(kind: str | None = None) -> QuerySet[Voucher]:
    """The vouchers `redeemed_item_counts` counts (of one item kind), newest first, with item
    and exchange point: never the member, so a public list shows what was exchanged, not who."""
    vouchers = Voucher.objects.filter(status__in=SPENT_STATUSES)
    if kind:
        vouchers = vouchers.filter(item__kind=kind)
    return (
        vouchers.select_related("item", "point")
        .only("pk", "status", "issued_at", "item__name", "item__kind", "point__name")
        .order_by("-issued_at", "-pk")
    )


# The models whose rows the home dashboard counts or shows: saving or deleting one moves its
# cached figures on (members.figures_version, registered by deqing_hub at start-up).
DASHBOARD_MODELS = (Voucher, Item)


def redeemed_item_counts() -> dict[str, int]:
    """How many items of each kind were exchanged (collected or awaiting collection).

    Keys are `Item.Kind` values: "cinema_ticket", "coffee", "souvenir"; every kind is present.
    """
    counts = dict.fromkeys(Item.Kind.values, 0)
    rows = (
        Voucher.objects.filter(status__in=SPENT_STATUSES)
        .values("item__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["item__kind"]] = row["n"]
    return counts


def redeemed_by_kind() -> list[KindCount]:
    """`redeemed_item_counts` as a breakdown: every item kind in its order, with its label."""
    return kind_counts(Item.Kind, redeemed_item_counts())


def totals() -> dict[str, int]:
    """Headline figures: points ever earned, points in members' accounts, vouchers collected."""
    earned = Entry.objects.filter(kind=Entry.Kind.EARN).aggregate(s=Sum("amount"))["s"] or 0
    held = Account.objects.aggregate(s=Sum("balance"))["s"] or 0
    vouchers = Voucher.objects.aggregate(
        collected=Count("pk", filter=Q(status=Voucher.Status.USED))
    )
    return {"earned": earned, "held": held, "collected": vouchers["collected"]}


def item_kind_labels() -> dict[str, StrOrPromise]:
    """{item kind value: its label}, for pages that show `redeemed_item_counts` by kind."""
    return dict(Item.Kind.choices)


def earned_entries(
    member_id: int, start: datetime, end: datetime, *, up_to_entry_id: int | None = None
) -> list[Entry]:
    """The ledger entries a member earned in [start, end), oldest first (a ranking breakdown).

    `up_to_entry_id` stops at the entry a closed month was computed up to, so the breakdown
    lists exactly what the published points counted. Only date, amount and reason are loaded.
    """
    entries = Entry.objects.filter(
        account__member_id=member_id,
        kind=Entry.Kind.EARN,
        created_at__gte=start,
        created_at__lt=end,
    )
    if up_to_entry_id is not None:
        entries = entries.filter(pk__lte=up_to_entry_id)
    return list(entries.order_by("created_at", "pk").only("pk", "created_at", "amount", "reason"))


def first_entry_date() -> date | None:
    """The local (Asia/Shanghai) date of the oldest ledger entry, None for an empty ledger.

    Local, like every month the ranking counts: an entry at 00:30 on the 1st is on the last day
    of the previous month in UTC, which would start the demo's rankings a month early.
    """
    first = Entry.objects.aggregate(m=Min("created_at"))["m"]
    return timezone.localtime(first).date() if first is not None else None


# --- The staff workspace: what waits, within the user's admin scope ----------------------------


def vouchers_waiting_count(user: User) -> int:
    """Vouchers paid for and not yet collected at the points the user sees."""
    return int(Voucher.objects.visible_to(user).issued().count())


def low_stock_count(user: User) -> int:
    """Stocks at the points the user sees that need restocking soon (Stock admin's filter)."""
    return int(Stock.objects.visible_to(user).low().count())


def me_panel_context(request: HttpRequest, member: Member | None) -> dict:
    """The /me/ block (members.panels): balance, points earned this month and the vouchers
    waiting to be collected. Two queries; none for a login without a member record."""
    if member is None:
        return {"linked": False}
    start, end = month_bounds_at(timezone.now())
    # A subquery, not a FILTER over the joined ledger: that read every entry the member ever
    # had (thousands for a busy volunteer) where this walks the (account, kind, created_at)
    # index over this month's earnings only.
    earned = (
        Entry.objects.filter(
            account=OuterRef("pk"),
            kind=Entry.Kind.EARN,
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    account = Account.objects.filter(member=member).annotate(month=Subquery(earned)).first()
    waiting = list(
        Voucher.objects.filter(member=member, status=Voucher.Status.ISSUED)
        .select_related("item", "point")
        .order_by("expires_at", "pk")[:ME_PANEL_VOUCHERS]
    )
    return {
        "linked": True,
        "balance": account.balance if account else 0,
        "month": (account.month or 0) if account else 0,
        "vouchers": waiting,
    }
