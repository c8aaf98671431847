"""The only writers of the points ledger, the stock and the vouchers.

Each action is one transaction. Rows are locked through `points.locks` (accounts, then
stocks, then conditional UPDATEs of vouchers), so concurrent calls queue instead of
double-spending; the database check constraints (balance >= 0, stock >= 0) are the backstop.
`at` parameters exist for back-dated records (demo history, staff entering paper records);
views never pass them.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.audit_changes import record_change, snapshot
from members.models import Member, User
from members.periods import month_bounds_at
from members.refusals import Refused
from members.transitions import transition
from points.locks import lock_account, lock_accounts, lock_existing_account, lock_stock
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

# Unambiguous when read aloud or typed from a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_KEY_LENGTH = 100


# --- helpers ----------------------------------------------------------------------------------


def _check_positive(amount: object, *, what: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Refused(_("Points must be a whole number above zero."), code="not_positive")
    return amount


def _check_text(value: str, *, code: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise Refused(message, code=code)
    return value


def _check_key(value: str, *, message) -> str:
    value = _check_text(value, code="key_required", message=message)
    if len(value) > MAX_KEY_LENGTH:
        raise Refused(
            _("A reference may have at most %(limit)s characters."),
            code="key_too_long",
            params={"limit": MAX_KEY_LENGTH},
        )
    return value


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


def _post_entry(
    *,
    account: Account,
    kind: str,
    amount: int,
    reason: str,
    source: str,
    key: str,
    by: User | None,
    at: datetime,
    voucher: Voucher | None = None,
) -> Entry:
    """Append one entry and move the cached balance with it (the account is locked)."""
    entry = Entry.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        reason=reason,
        source=source,
        idempotency_key=key,
        voucher=voucher,
        created_by=by,
        created_at=at,
    )
    before = snapshot(account, ["balance"])
    Account.objects.filter(pk=account.pk).update(
        balance=F("balance") + amount, updated_at=timezone.now()
    )
    account.balance += amount
    # .update() sends no save signal: a balance staff move in the admin is recorded here (the
    # entry itself is recorded by the audit receivers as it is saved).
    record_change(
        by=by,
        obj=account,
        action=kind,
        before=before,
        admin_pages_only=True,
        extra={"entry": entry.pk},
    )
    return entry


def _move_stock(
    *,
    stock: Stock,
    kind: str,
    quantity: int,
    reason: str,
    reference: str,
    by: User | None,
    at: datetime,
    voucher: Voucher | None = None,
) -> StockMovement:
    """Append one stock movement and move the cached quantity with it (the stock is locked)."""
    movement = StockMovement.objects.create(
        stock=stock,
        kind=kind,
        quantity=quantity,
        reason=reason,
        reference=reference,
        voucher=voucher,
        created_by=by,
        created_at=at,
    )
    before = snapshot(stock, ["quantity"])
    Stock.objects.filter(pk=stock.pk).update(
        quantity=F("quantity") + quantity, updated_at=timezone.now()
    )
    stock.quantity += quantity
    record_change(
        by=by,
        obj=stock,
        action=kind,
        before=before,
        admin_pages_only=True,
        extra={"movement": movement.pk},
    )
    return movement


def _new_voucher(**fields) -> Voucher:
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


def normalize_code(code: str) -> str:
    """Accept a code as people type it: any case, with spaces or a dash."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


# --- earning ----------------------------------------------------------------------------------


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
    prefix = _check_key(source_prefix, message=_("A source is required."))
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
    amount = _check_positive(amount)
    reason = _check_text(reason, code="reason_required", message=_("A reason is required."))
    sources = {
        pk: _check_key(source, message=_("A source is required.")) for pk, source in sources.items()
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
    reason = _check_text(reason, code="reason_required", message=_("An adjustment needs a reason."))
    if by is None:
        raise Refused(_("An adjustment must name who made it."), code="by_required")
    given = idempotency_key.strip()
    if given:
        given = _check_key(given, message=_("The form has expired; please try again."))
    key = f"adjust:{given or uuid.uuid4().hex}"
    account = lock_account(member)
    earlier = Entry.objects.filter(account=account, idempotency_key=key).first()
    if earlier:
        return earlier
    if account.balance + amount < 0:
        raise Refused(
            _("The balance is %(balance)s points; it cannot go below zero."),
            code="negative_balance",
            params={"balance": account.balance},
        )
    return _post_entry(
        account=account,
        kind=Entry.Kind.ADJUST,
        amount=amount,
        reason=reason,
        source=f"adjust:by:{by.pk}",
        key=key,
        by=by,
        at=at or timezone.now(),
    )


# --- stock ------------------------------------------------------------------------------------


@transaction.atomic
def restock(
    *,
    point: ExchangePoint,
    item: Item,
    quantity: int,
    reason: str,
    by: User | None = None,
    reference: str = "",
    at: datetime | None = None,
) -> StockMovement:
    """Add items to a point's stock; a repeated reference returns the first movement."""
    return _change_stock(
        point=point,
        item=item,
        kind=StockMovement.Kind.RESTOCK,
        quantity=_check_positive(quantity),
        reason=reason,
        by=by,
        reference=reference,
        at=at,
    )


@transaction.atomic
def write_off(
    *,
    point: ExchangePoint,
    item: Item,
    quantity: int,
    reason: str,
    by: User | None = None,
    reference: str = "",
    at: datetime | None = None,
) -> StockMovement:
    """Remove damaged or lost items from a point's stock, never below zero."""
    return _change_stock(
        point=point,
        item=item,
        kind=StockMovement.Kind.WRITE_OFF,
        quantity=-_check_positive(quantity),
        reason=reason,
        by=by,
        reference=reference,
        at=at,
    )


def _change_stock(
    *,
    point: ExchangePoint,
    item: Item,
    kind: str,
    quantity: int,
    reason: str,
    by: User | None,
    reference: str,
    at: datetime | None,
) -> StockMovement:
    reason = _check_text(reason, code="reason_required", message=_("A reason is required."))
    reference = reference.strip() or f"{kind}:{uuid.uuid4().hex}"
    Stock.objects.get_or_create(point=point, item=item)
    stock = lock_stock(point_id=point.pk, item_id=item.pk)
    earlier = StockMovement.objects.filter(stock=stock, reference=reference).first()
    if earlier:
        return earlier
    if stock.quantity + quantity < 0:
        raise Refused(
            _("Only %(quantity)s left in stock."),
            code="out_of_stock",
            params={"quantity": stock.quantity},
        )
    return _move_stock(
        stock=stock,
        kind=kind,
        quantity=quantity,
        reason=reason,
        reference=reference,
        by=by,
        at=at or timezone.now(),
    )


# --- vouchers ---------------------------------------------------------------------------------


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
    key = _check_key(idempotency_key, message=_("The form has expired; please try again."))
    at = at or timezone.now()
    account = lock_existing_account(member)
    # Checked after the lock: a concurrent call with the same key has committed by now.
    earlier = Voucher.objects.filter(member=member, idempotency_key=key).first()
    if earlier:
        return earlier
    item = Item.objects.get(pk=item.pk)
    point = ExchangePoint.objects.get(pk=point.pk)
    if not item.is_active or not point.is_active:
        raise Refused(_("This item is not offered at the moment."), code="inactive")
    balance = account.balance if account else 0
    if account is None or balance < item.price:
        raise Refused(
            _("You have %(balance)s points; %(item)s needs %(price)s."),
            code="insufficient_points",
            params={"balance": balance, "item": item.name, "price": item.price},
        )
    stock = lock_stock(point_id=point.pk, item_id=item.pk)
    if stock is None or stock.quantity < 1:
        raise Refused(
            _("%(item)s is out of stock at %(point)s."),
            code="out_of_stock",
            params={"item": item.name, "point": point.name},
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
    _post_entry(
        account=account,
        kind=Entry.Kind.REDEEM,
        amount=-item.price,
        reason=item.name,
        source=f"voucher:{voucher.pk}",
        key=f"redeem:{key}",
        by=by,
        at=at,
        voucher=voucher,
    )
    _move_stock(
        stock=stock,
        kind=StockMovement.Kind.REDEMPTION,
        quantity=-1,
        reason=voucher.code,
        reference=f"voucher:{voucher.pk}:redemption",
        by=by,
        at=at,
        voucher=voucher,
    )
    return voucher


_CLOSED_MESSAGES = {
    Voucher.Status.USED: _("This voucher was already collected."),
    Voucher.Status.CANCELLED: _("This voucher was cancelled."),
    Voucher.Status.EXPIRED: _("This voucher has expired."),
}


def _close_voucher(
    *, voucher: Voucher, status: str, entry_kind: str, by: User | None, at: datetime
) -> Voucher:
    """Move an issued voucher to cancelled or expired and give back its points and item."""
    account = lock_existing_account(voucher.member)
    stock = lock_stock(point_id=voucher.point_id, item_id=voucher.item_id)
    # The update below moves only an issued voucher, which has not been closed.
    before = {"status": Voucher.Status.ISSUED, "closed_at": None}
    if not transition(voucher, allowed=[Voucher.Status.ISSUED], to=status, closed_at=at):
        if voucher.status == status:
            return voucher  # repeated: nothing more to give back
        raise Refused(_CLOSED_MESSAGES[voucher.status], code=f"voucher_{voucher.status}")
    record_change(
        by=by, obj=voucher, action=f"voucher_{status}", before=before, admin_pages_only=True
    )
    _post_entry(
        account=account,
        kind=entry_kind,
        amount=voucher.price,
        reason=voucher.item.name,  # the entry's kind says why; the item says what
        source=f"voucher:{voucher.pk}",
        key=f"{entry_kind}:voucher:{voucher.pk}",
        by=by,
        at=at,
        voucher=voucher,
    )
    _move_stock(
        stock=stock,
        kind=StockMovement.Kind.RETURN,
        quantity=1,
        reason=voucher.code,
        reference=f"voucher:{voucher.pk}:return",
        by=by,
        at=at,
        voucher=voucher,
    )
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
    return _close_voucher(
        voucher=voucher,
        status=Voucher.Status.CANCELLED,
        entry_kind=Entry.Kind.REFUND,
        by=by,
        at=at or timezone.now(),
    )


@transaction.atomic
def expire(*, voucher: Voucher, at: datetime | None = None) -> Voucher:
    """Expire an uncollected voucher past its date: points and item come back.

    Expiring twice is a no-op.
    """
    at = at or timezone.now()
    if voucher.status == Voucher.Status.ISSUED and voucher.expires_at > at:
        raise Refused(_("This voucher is still valid."), code="not_due")
    return _close_voucher(
        voucher=voucher,
        status=Voucher.Status.EXPIRED,
        entry_kind=Entry.Kind.EXPIRE,
        by=None,
        at=at,
    )


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
