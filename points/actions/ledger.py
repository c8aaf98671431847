"""Earning and correcting points: awards within the monthly cap, staff adjustments."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import page_cache
from members.models import Member, User
from members.periods import month_bounds_at
from members.refusals import Refused
from points.actions.books import post_entry
from points.actions.checks import check_key, check_positive, check_text
from points.locks import lock_account, lock_accounts
from points.models import Account, Entry, Policy


def _cap_for(account: Account, policy: Policy) -> int | None:
    return account.monthly_cap if account.monthly_cap is not None else policy.default_monthly_cap


def _earned_in_month(account_ids: list[int], at: datetime) -> dict[int, int]:
    start, end = month_bounds_at(at)
    rows = (
        Entry.objects.filter(
            account_id__in=account_ids,
            kind=Entry.Kind.EARN,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    return {row["account_id"]: row["total"] for row in rows}


@transaction.atomic
def award(
    *,
    member: Member,
    amount: int,
    reason: str,
    source: str,
    by: User | None = None,
    at: datetime | None = None,
) -> Entry | None:
    """Credit points once per (account, source), within the member's monthly cap.

    A repeated source returns the first entry and credits nothing. Under the cap only what
    remains is credited; None when nothing remains. Creates the account if missing.
    """
    entries = _award_many(
        members=[member],
        amount=amount,
        reason=reason,
        sources={member.pk: source},
        by=by,
        at=at,
    )
    return entries.get(member.pk)


@transaction.atomic
def bulk_award(
    *,
    members: Iterable[Member],
    amount: int,
    reason: str,
    source_prefix: str,
    by: User | None = None,
    at: datetime | None = None,
) -> list[Entry]:
    """Award the same points to many members (an activity's attendance list) in one go.

    Each member's source is f"{source_prefix}:member:{pk}", so repeating the call credits
    nobody twice. Returns each member's entry (new or earlier), members at their cap omitted.
    """
    members = list({m.pk: m for m in members}.values())
    prefix = check_key(source_prefix, message=_("A source is required."))
    entries = _award_many(
        members=members,
        amount=amount,
        reason=reason,
        sources={m.pk: f"{prefix}:member:{m.pk}" for m in members},
        by=by,
        at=at,
    )
    return [entries[m.pk] for m in members if m.pk in entries]


def _award_many(
    *,
    members: list[Member],
    amount: int,
    reason: str,
    sources: dict[int, str],
    by: User | None,
    at: datetime | None,
) -> dict[int, Entry]:
    amount = check_positive(amount)
    reason = check_text(reason, code="reason_required", message=_("A reason is required."))
    sources = {
        pk: check_key(source, message=_("A source is required.")) for pk, source in sources.items()
    }
    if not members:
        return {}
    at = at or timezone.now()
    policy = Policy.load()
    accounts = lock_accounts(members)
    keys = {pk: f"award:{source}" for pk, source in sources.items()}
    member_of_account = {a.pk: member_pk for member_pk, a in accounts.items()}
    result: dict[int, Entry] = {}
    for entry in Entry.objects.filter(
        account__in=accounts.values(), idempotency_key__in=keys.values()
    ):
        member_pk = member_of_account[entry.account_id]
        if keys[member_pk] == entry.idempotency_key:
            result[member_pk] = entry

    todo = [accounts[m.pk] for m in members if m.pk not in result]
    earned = _earned_in_month([a.pk for a in todo if _cap_for(a, policy) is not None], at)
    new_entries = []
    for account in todo:
        cap = _cap_for(account, policy)
        credit = amount if cap is None else min(amount, cap - earned.get(account.pk, 0))
        if credit <= 0:
            continue
        new_entries.append(
            Entry(
                account=account,
                kind=Entry.Kind.EARN,
                amount=credit,
                reason=reason,
                source=sources[account.member_id],
                idempotency_key=keys[account.member_id],
                created_by=by,
                created_at=at,
            )
        )
    if new_entries:
        Entry.objects.bulk_create(new_entries)
        Account.objects.filter(pk__in=[e.account_id for e in new_entries]).update(
            balance=F("balance")
            + Case(
                *[When(pk=e.account_id, then=Value(e.amount)) for e in new_entries],
                default=Value(0),
                output_field=IntegerField(),
            ),
            updated_at=timezone.now(),
        )
        for entry in new_entries:
            entry.account.balance += entry.amount
            result[entry.account.member_id] = entry
        # bulk_create and update() send no save signal: the members' own pages (balance,
        # history; members.page_cache.own_page) must show the points on the next request.
        page_cache.bump()
    return result


@transaction.atomic
def adjust(
    *,
    member: Member,
    amount: int,
    reason: str,
    by: User,
    idempotency_key: str = "",
    at: datetime | None = None,
) -> Entry:
    """Correct a balance by staff with a signed amount and a required reason.

    Never takes a balance below zero. With an idempotency key, a repeat returns the first entry.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise Refused(_("An adjustment must be a whole number other than zero."), code="zero")
    reason = check_text(reason, code="reason_required", message=_("An adjustment needs a reason."))
    if by is None:
        raise Refused(_("An adjustment must name who made it."), code="by_required")
    given = idempotency_key.strip()
    if given:
        given = check_key(given, message=_("The form has expired; please try again."))
    key = f"adjust:{given or uuid.uuid4().hex}"
    account = lock_account(member)
    earlier = Entry.objects.filter(account=account, idempotency_key=key).first()
    if earlier:
        return earlier
    return post_entry(
        account=account,
        kind=Entry.Kind.ADJUST,
        amount=amount,
        reason=reason,
        source=f"adjust:by:{by.pk}",
        key=key,
        by=by,
        at=at or timezone.now(),
    )
