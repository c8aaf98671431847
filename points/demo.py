"""Demo data: three exchange points, their items and stock, and a year of ledger history
that reproduces the article's figures (60+ cinema tickets, 200 coffees redeemed).

Deterministic and idempotent: the plan is computed in memory from the members that exist
(ordered by pk) and a fixed random seed; every write goes through `points.actions` with a
fixed source, reference or idempotency key, so a second run finds each row and adds nothing.
Dates are relative to the first run (the history ends the day before).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Member
from points import actions
from points.models import Entry, ExchangePoint, Item, Policy, Voucher

SEED = 2016
MONTHS = 12
CINEMA_TICKETS = 63
COFFEES = 200
SOUVENIRS = 24
AWARD_CHOICES = [0, 10, 20, 20, 30]
AWARD_HOUR = 10
HISTORY = timedelta(days=30 * MONTHS - 1)

POINTS = [
    ("党群服务中心爱心超市", "小镇党群服务中心一楼服务大厅", "周一至周五 9:00-17:00"),
    ("红盟书吧兑换点", "党群服务中心二楼红盟书吧", "周一至周六 9:00-20:00"),
    ("红领学院兑换点", "红领学院一楼前台", "培训日 8:30-17:30"),
]
ITEMS = [
    ("电影票", Item.Kind.CINEMA_TICKET, 50, "德清县城影院通用 2D 电影票一张", 30),
    ("咖啡", Item.Kind.COFFEE, 10, "红盟书吧现磨咖啡一杯", 100),
    ("小镇纪念徽章", Item.Kind.SOUVENIR, 20, "地理信息小镇纪念徽章", 15),
    ("地信小镇笔记本", Item.Kind.SOUVENIR, 30, "小镇文创笔记本", 10),
    ("帆布袋", Item.Kind.SOUVENIR, 25, "党群服务中心帆布袋", 10),
]


def _anchor() -> datetime:
    """Where the history ends: the first demo entry's run, so reruns reuse the same dates."""
    first = Entry.objects.filter(source__startswith="demo:award:0:").order_by("created_at").first()
    if first:
        return first.created_at - timedelta(hours=AWARD_HOUR) + HISTORY
    return timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)


def _operators() -> list:
    users = []
    for n in range(1, len(POINTS) + 1):
        user, created = get_user_model().objects.get_or_create(
            username=f"demo-operator-{n}",
            defaults={"email": f"operator{n}@demo.invalid", "first_name": f"兑换员{n}"},
        )
        if created:
            user.set_unusable_password()  # staff set a password when they hand the desk over
            user.save(update_fields=["password"])
        users.append(user)
    return users


def _plan(members: list[Member], prices: dict[str, int], rng: random.Random):
    """Awards per month and redemptions per month, simulated so no balance goes negative."""
    balances = dict.fromkeys((m.pk for m in members), 0)
    kinds = ["cinema_ticket"] * CINEMA_TICKETS + ["coffee"] * COFFEES + ["souvenir"] * SOUVENIRS
    rng.shuffle(kinds)
    per_month = -(-len(kinds) // (MONTHS - 1))
    awards, redemptions = [], []
    cursor = 0
    for month in range(MONTHS):
        for member in members:
            amount = rng.choice(AWARD_CHOICES)
            if amount:
                awards.append((month, member, amount))
                balances[member.pk] += amount
        if month == 0:
            continue  # members first earn, then spend
        for kind in kinds[(month - 1) * per_month : month * per_month]:
            for _step in range(len(members)):
                member = members[cursor % len(members)]
                cursor += 1
                if balances[member.pk] >= prices[kind]:
                    balances[member.pk] -= prices[kind]
                    redemptions.append((month, member, kind))
                    break
    return awards, redemptions


def seed() -> str:
    """Create the exchange and its history; running it twice changes nothing."""
    Policy.load()
    operators = _operators()
    points = []
    for (name, address, hours), operator in zip(POINTS, operators, strict=True):
        point, _created = ExchangePoint.objects.get_or_create(
            name=name, defaults={"address": address, "opening_hours": hours}
        )
        point.operators.add(operator)
        points.append(point)
    items = {}
    for name, kind, price, description, _quantity in ITEMS:
        items[name], _created = Item.objects.get_or_create(
            name=name, defaults={"kind": kind, "price": price, "description": description}
        )

    anchor = _anchor()
    start = anchor - HISTORY
    for point in points:
        for name, _kind, _price, _description, quantity in ITEMS:
            actions.restock(
                point=point,
                item=items[name],
                quantity=quantity,
                reason="首批入库",
                reference=f"demo:restock:{point.pk}:{items[name].pk}",
                at=start - timedelta(days=1),
            )

    members = list(Member.objects.filter(is_active=True).order_by("pk"))
    if not members:
        return "3 exchange points and 5 items; no members yet, so no ledger history"
    by_kind: dict[str, Item] = {
        Item.Kind.CINEMA_TICKET: items["电影票"],
        Item.Kind.COFFEE: items["咖啡"],
        Item.Kind.SOUVENIR: items["小镇纪念徽章"],
    }
    prices = {kind: item.price for kind, item in by_kind.items()}
    awards, redemptions = _plan(members, prices, random.Random(SEED))  # noqa: S311 - demo data

    by_month: dict[tuple[int, int], list[Member]] = {}
    for month, member, amount in awards:
        by_month.setdefault((month, amount), []).append(member)
    for (month, amount), group in sorted(by_month.items(), key=lambda kv: kv[0]):
        actions.bulk_award(
            members=group,
            amount=amount,
            reason="参加志愿服务",
            source_prefix=f"demo:award:{month}:{amount}",
            at=start + timedelta(days=30 * month, hours=AWARD_HOUR),
        )

    for n, (month, member, kind) in enumerate(redemptions):
        item = by_kind[kind]
        point = points[n % len(points)]
        at = start + timedelta(days=30 * month + 2, hours=9 + n % 8, minutes=n % 60)
        voucher = actions.redeem(
            member=member, item=item, point=point, idempotency_key=f"demo:redeem:{n}", at=at
        )
        if voucher.status == Voucher.Status.ISSUED:
            actions.confirm_voucher(
                code=voucher.code,
                point=point,
                by=operators[n % len(points)],
                at=at + timedelta(hours=1),
            )

    counts = {
        kind: Voucher.objects.filter(item__kind=kind, status=Voucher.Status.USED).count()
        for kind in Item.Kind.values
    }
    return (
        f"{len(points)} exchange points, {len(items)} items, "
        f"{Entry.objects.filter(source__startswith='demo:').count()} demo ledger entries; "
        f"redeemed {counts['cinema_ticket']} cinema tickets, {counts['coffee']} coffees, "
        f"{counts['souvenir']} souvenirs"
    )
