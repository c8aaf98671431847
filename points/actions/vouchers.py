"""Vouchers: redeeming points for an item, cancelling, expiring and handing over.

A voucher moves issued -> used | cancelled | expired through `members.transitions`; closing
one gives back its points and its item.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.audit_changes import record_change
from members.models import Member, User
from members.notices.actions import notify, notify_each
from members.refusals import Refused
from members.transitions import transition
from points.actions.books import move_stock, post_entry
from points.actions.checks import check_key
from points.locks import lock_existing_account, lock_stock
from points.models import (
    Account,
    Entry,
    ExchangePoint,
    Item,
    Policy,
    Stock,
    StockMovement,
    Voucher,
)
from points.notices import VOUCHER_EXPIRING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Unambiguous when read aloud or typed from a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def _new_voucher(**fields: Any) -> Voucher:
    """Create a voucher with a fresh random code, retrying the rare collision."""
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return Voucher.objects.create(code=code, **fields)
        except IntegrityError:
            if not Voucher.objects.filter(code=code).exists():
                raise
    raise RuntimeError("could not find a free voucher code")  # 31**8 codes: never in practice


def _settle(
    voucher: Voucher,
    entry_kind: str,
    key: str,
    *,
    account: Account,
    stock: Stock,
    by: User | None,
    at: datetime,
) -> None:
    """Book a voucher in both books (account and stock locked): redeeming takes its price off
    the account and one item out of the stock; a refund or an expiry gives both back."""
    sign, movement, reference = (
        (-1, StockMovement.Kind.REDEMPTION, "redemption")
        if entry_kind == Entry.Kind.REDEEM
        else (1, StockMovement.Kind.RETURN, "return")
    )
    post_entry(
        account=account,
        kind=entry_kind,
        amount=sign * voucher.price,
        reason=voucher.item.name,  # the entry's kind says why; the item says what
        source=f"voucher:{voucher.pk}",
        key=key,
        by=by,
        at=at,
        voucher=voucher,
    )
    move_stock(
        stock=stock,
        kind=movement,
        quantity=sign,
        reason=voucher.code,
        reference=f"voucher:{voucher.pk}:{reference}",
        by=by,
        at=at,
        voucher=voucher,
    )


def normalize_code(code: str) -> str:
    """Accept a code as people type it: any case, with spaces or a dash."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _check_affordable(*, item: Item, point: ExchangePoint, account: Account | None) -> Account:
    """The member's account when it pays for `item` at `point` now; refused otherwise."""
    if not item.is_active or not point.is_active:
        raise Refused(_("This item is not offered at the moment."), code="inactive")
    balance = account.balance if account else 0
    if account is None or balance < item.price:
        raise Refused(
            _("You have %(balance)s points; %(item)s needs %(price)s."),
            code="insufficient_points",
            params={"balance": balance, "item": item.name, "price": item.price},
        )
    return account


def _check_in_stock(*, item: Item, point: ExchangePoint, stock: Stock | None) -> Stock:
    """The stock when one `item` is left at `point`; refused otherwise."""
    if stock is None or stock.quantity < 1:
        raise Refused(
            _("%(item)s is out of stock at %(point)s."),
            code="out_of_stock",
            params={"item": item.name, "point": point.name},
        )
    return stock


def redeem_quote(*, member: Member, item: Item, point: ExchangePoint) -> int:
    """The balance `redeem` would leave, for the confirmation before it; raises what `redeem`
    would refuse now. Reads without locks: `redeem` checks everything again when it runs."""
    account = _check_affordable(
        item=item, point=point, account=Account.objects.filter(member=member).first()
    )
    _check_in_stock(
        item=item, point=point, stock=Stock.objects.filter(point=point, item=item).first()
    )
    return account.balance - item.price


@transaction.atomic
def redeem(
    *,
    member: Member,
    item: Item,
    point: ExchangePoint,
    idempotency_key: str,
    by: User | None = None,
    at: datetime | None = None,
) -> Voucher:
    """Exchange points for one item at one point: debit, take stock, issue a voucher.

    The same idempotency key (the form's one-time key) returns the same voucher.
    """
    key = check_key(idempotency_key, message=_("The form has expired; please try again."))
    at = at or timezone.now()
    account = lock_existing_account(member)
    # Checked after the lock: a concurrent call with the same key has committed by now.
    earlier = Voucher.objects.filter(member=member, idempotency_key=key).first()
    if earlier:
        return earlier
    item = Item.objects.get(pk=item.pk)
    point = ExchangePoint.objects.get(pk=point.pk)
    account = _check_affordable(item=item, point=point, account=account)
    stock = _check_in_stock(
        item=item, point=point, stock=lock_stock(point_id=point.pk, item_id=item.pk)
    )
    policy = Policy.load()
    voucher = _new_voucher(
        member=member,
        item=item,
        point=point,
        price=item.price,
        idempotency_key=key,
        issued_at=at,
        expires_at=at + timedelta(days=policy.voucher_valid_days),
    )
    _settle(voucher, Entry.Kind.REDEEM, f"redeem:{key}", account=account, stock=stock, by=by, at=at)
    return voucher


_CLOSED_MESSAGES: dict[str, StrOrPromise] = {
    Voucher.Status.USED: _("This voucher was already collected."),
    Voucher.Status.CANCELLED: _("This voucher was cancelled."),
    Voucher.Status.EXPIRED: _("This voucher has expired."),
}


# The ledger entry that gives the points back, by the status a voucher is closed with.
_GIVEN_BACK_AS: dict[str, str] = {
    Voucher.Status.CANCELLED: Entry.Kind.REFUND,
    Voucher.Status.EXPIRED: Entry.Kind.EXPIRE,
}


def _close_voucher(voucher: Voucher, status: str, *, by: User | None, at: datetime) -> Voucher:
    """Move an issued voucher to cancelled or expired and give back its points and item."""
    entry_kind = _GIVEN_BACK_AS[status]
    # Both exist: redeeming the voucher debited this account and took from this stock.
    account = cast(Account, lock_existing_account(voucher.member))
    stock = cast(Stock, lock_stock(point_id=voucher.point_id, item_id=voucher.item_id))
    # The update below moves only an issued voucher, which has not been closed.
    before = {"status": Voucher.Status.ISSUED, "closed_at": None}
    if not transition(voucher, allowed=[Voucher.Status.ISSUED], to=status, closed_at=at):
        if voucher.status == status:
            return voucher  # repeated: nothing more to give back
        raise Refused(_CLOSED_MESSAGES[voucher.status], code=f"voucher_{voucher.status}")
    record_change(
        by=by, obj=voucher, action=f"voucher_{status}", before=before, admin_pages_only=True
    )
    key = f"{entry_kind}:voucher:{voucher.pk}"
    _settle(voucher, entry_kind, key, account=account, stock=stock, by=by, at=at)
    return voucher


@transaction.atomic
def cancel_voucher(*, voucher: Voucher, by: User, at: datetime | None = None) -> Voucher:
    """Cancel an uncollected voucher for its member (or staff): points and item come back.

    Cancelling twice is a no-op; a collected or expired voucher cannot be cancelled.
    """
    if not (
        by.has_perm("points.change_voucher")
        or (voucher.member.user_id and voucher.member.user_id == by.pk)
    ):
        raise Refused(_("Only the voucher's member can cancel it."), code="not_owner")
    return _close_voucher(voucher, Voucher.Status.CANCELLED, by=by, at=at or timezone.now())


@transaction.atomic
def expire(*, voucher: Voucher, at: datetime | None = None) -> Voucher:
    """Expire an uncollected voucher past its date: points and item come back.

    Expiring twice is a no-op.
    """
    at = at or timezone.now()
    if voucher.status == Voucher.Status.ISSUED and voucher.expires_at > at:
        raise Refused(_("This voucher is still valid."), code="not_due")
    return _close_voucher(voucher, Voucher.Status.EXPIRED, by=None, at=at)


def expire_due_vouchers(*, at: datetime | None = None) -> int:
    """Expire every voucher past its date, each in its own transaction; returns how many."""
    at = at or timezone.now()
    count = 0
    due = Voucher.objects.issued().filter(expires_at__lte=at).values_list("pk", flat=True)
    for voucher in Voucher.objects.filter(pk__in=list(due)).select_related("member"):
        try:
            expire(voucher=voucher, at=at)
        except Refused:
            continue  # collected or cancelled meanwhile
        count += 1
    return count


# Tell the holder this long before an uncollected voucher expires (time for one more visit).
EXPIRY_NOTICE = timedelta(days=3)


def remind_expiring_vouchers(*, at: datetime | None = None) -> int:
    """Tell each holder once that their uncollected voucher expires within EXPIRY_NOTICE;
    return how many notices were written.

    Safe to run any number of times, also concurrently: the voucher names the event and the
    outbox writes one notice per event and person. A voucher whose whole life is shorter than
    the notice period is not announced (the holder has just been told its date on redeeming).
    """
    at = at or timezone.now()
    due = (
        Voucher.objects.issued()
        .filter(expires_at__gt=at, expires_at__lte=at + EXPIRY_NOTICE)
        .filter(issued_at__lt=F("expires_at") - EXPIRY_NOTICE)
        .exclude(member__user__isnull=True)
        .select_related("member__user", "item", "point")
        .order_by("pk")
    )
    return notify_each(
        due,
        lambda voucher: notify(
            kind=VOUCHER_EXPIRING,
            to=[voucher.member.user],
            event=f"points.voucher_expiring:{voucher.pk}",
            link=reverse("points:voucher_detail", args=[voucher.code]),
            context={
                "item": voucher.item.name,
                "point": voucher.point.name,
                "expires": timezone.localtime(voucher.expires_at).strftime("%Y-%m-%d %H:%M"),
            },
        ),
    )


def is_operator(user: User, point: ExchangePoint) -> bool:
    """Whether this login may hand over items at this point."""
    # The rule (superusers operate every point) lives in the QuerySet, shared with the pages.
    return ExchangePoint.objects.operated_by(user).filter(pk=point.pk).exists()


@transaction.atomic
def confirm_voucher(
    *, code: str, point: ExchangePoint, by: User, at: datetime | None = None
) -> Voucher:
    """Hand over a voucher's item at the operator's own point; each code is used once."""
    at = at or timezone.now()
    if not is_operator(by, point):
        raise Refused(_("You are not an operator of this exchange point."), code="not_operator")
    code = normalize_code(code)
    voucher = Voucher.objects.filter(code=code).select_related("item", "point").first()
    if voucher is None:
        raise Refused(_("No voucher has this code."), code="unknown_code")
    if voucher.point_id != point.pk:
        raise Refused(_("This voucher is for another exchange point."), code="other_point")
    # No refusal from the transition: the voucher's own state names the reason and its code.
    if not transition(
        voucher,
        allowed=[Voucher.Status.ISSUED],
        to=Voucher.Status.USED,
        when=Q(expires_at__gt=at),
        used_at=at,
        used_by=by,
    ):
        if voucher.status == Voucher.Status.ISSUED:
            raise Refused(_CLOSED_MESSAGES[Voucher.Status.EXPIRED], code="voucher_expired")
        raise Refused(_CLOSED_MESSAGES[voucher.status], code=f"voucher_{voucher.status}")
    return voucher
