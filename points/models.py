"""The volunteer-points ledger, exchange points, items, stock and vouchers.

Writers live in `points.actions` only. Entries and stock movements are append-only: a
correction is a new row. Cached figures (account balance, stock quantity) are kept beside
their rows and checked nightly by `points.reconciliation`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.constraints import at_least, ends_after, not_blank
from members.fields import Timestamped, acting_user, protected_link, stamp
from members.models import Member
from members.text import CleanCharField


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset whose rows are never changed or deleted in bulk."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    # Django's marker: the manager does not copy these methods (no `Model.objects.update()`).
    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnlyModel(models.Model):
    """A row of the points books (ledger entries, stock movements), written once: saving it
    again or deleting it raises. Every row says why, who wrote it and when, the same way in
    both books, so that the reconciliation and the audit read them alike."""

    reason = CleanCharField(_("reason"), max_length=200)
    created_by = acting_user(_("by"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("at"), db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class Policy(models.Model):
    """The staff-configurable rules of the exchange (one row)."""

    default_monthly_cap = models.PositiveIntegerField(
        _("default monthly cap"),
        null=True,
        blank=True,
        help_text=_(
            "Most points a member can earn in one calendar month; empty means no cap. "
            "A member's own cap, if set, takes precedence."
        ),
    )
    voucher_valid_days = models.PositiveIntegerField(
        _("voucher valid for (days)"),
        default=30,
        help_text=_("An unused voucher expires after this many days; its points come back."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("points policy")
        verbose_name_plural = _("points policy")
        constraints = [
            at_least("voucher_valid_days", 1, name="points_policy_valid_days_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Points policy"))

    @classmethod
    def load(cls) -> Policy:
        """Return the one policy row, creating it with the defaults if missing."""
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class AccountQuerySet(models.QuerySet):
    def for_user(self, user) -> AccountQuerySet:
        """The account of the member linked to this login (none for others)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member__user=user)


class Account(Timestamped):
    """A member's points account; `balance` caches the sum of its entries."""

    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="points_account", verbose_name=_("member")
    )
    balance = models.IntegerField(_("balance"), default=0)
    monthly_cap = models.PositiveIntegerField(
        _("monthly cap"),
        null=True,
        blank=True,
        help_text=_("Most points this member can earn in a month; empty uses the policy."),
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            at_least("balance", 0, name="points_account_balance_non_negative"),
        ]

    def __str__(self) -> str:
        return str(self.member)


class Entry(AppendOnlyModel):
    """One movement of points: positive credits, negative debits. Never changed."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        REFUND = "refund", _("Refunded (voucher cancelled)")
        ADJUST = "adjust", _("Adjusted by staff")
        EXPIRE = "expire", _("Returned (voucher expired)")

    account = protected_link(Account, related_name="entries", verbose_name=_("points account"))
    kind = CleanCharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.IntegerField(_("points"))
    source = CleanCharField(
        _("source"),
        max_length=120,
        blank=True,
        help_text=_("What this entry comes from, e.g. activity:12 or voucher:34."),
    )
    idempotency_key = CleanCharField(_("idempotency key"), max_length=120)
    voucher = models.ForeignKey(
        "Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("voucher"),
    )

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("ledger entry")
        verbose_name_plural = pgettext_lazy("points", "ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="points_entry_key_unique_per_account"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["earn", "refund", "expire"], amount__gt=0)
                    | Q(kind="redeem", amount__lt=0)
                    | (Q(kind="adjust") & ~Q(amount=0))
                ),
                name="points_entry_amount_sign_matches_kind",
            ),
            not_blank("reason", name="points_entry_reason_required"),
        ]
        indexes = [models.Index(fields=["account", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d}"


# At this many or fewer of an item a point's stock shows on the staff workspace (restock soon).
LOW_STOCK = 5


def sees_every_point(user) -> bool:
    """Centre staff who manage the exchange points see every point's stock and vouchers."""
    return bool(user.is_active and user.has_perm("points.change_exchangepoint"))


class OperatedQuerySet(models.QuerySet):
    """Rows of one exchange point, reached through `point_path` (scope of the operators)."""

    point_path = "point"

    def visible_to(self, user):
        """Every row for centre staff; an operator's own points' rows otherwise."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_point(user):
            return self.all()
        return self.filter(**{f"{self.point_path}__operators": user})


class StockQuerySet(OperatedQuerySet):
    def low(self) -> StockQuerySet:
        """Items still offered at an open point with LOW_STOCK or fewer left: time to restock."""
        return self.filter(quantity__lte=LOW_STOCK, item__is_active=True, point__is_active=True)


# django-stubs gives each queryset class its own `as_manager` return type, so a class with two
# queryset bases looks like a bad override; at run time `as_manager` builds from this class.
class StockMovementQuerySet(AppendOnlyQuerySet, OperatedQuerySet):  # type: ignore[override]
    point_path = "stock__point"


class ExchangePointQuerySet(models.QuerySet):
    def operated_by(self, user) -> ExchangePointQuerySet:
        """The points where this login hands over items (every point for superusers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(operators=user)

    def visible_to(self, user) -> ExchangePointQuerySet:
        """Every point for centre staff; an operator's own points otherwise."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_point(user):
            return self.all()
        return self.filter(operators=user)


class ExchangePoint(models.Model):
    """A place (爱心超市) where members exchange points for items."""

    name = CleanCharField(_("name"), max_length=100, unique=True)
    address = CleanCharField(_("address"), max_length=200, blank=True)
    opening_hours = CleanCharField(_("opening hours"), max_length=100, blank=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="exchange_points",
        verbose_name=_("operators"),
        help_text=_("Accounts that hand over items and confirm vouchers here."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ExchangePointQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("exchange point")
        verbose_name_plural = _("exchange points")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """Something members can exchange points for."""

    class Kind(models.TextChoices):
        CINEMA_TICKET = "cinema_ticket", _("Cinema ticket")
        COFFEE = "coffee", _("Coffee")
        SOUVENIR = "souvenir", _("Souvenir")

    name = CleanCharField(_("name"), max_length=100, unique=True)
    kind = CleanCharField(_("kind"), max_length=16, choices=Kind.choices)
    description = CleanCharField(_("description"), max_length=300, blank=True)
    price = models.PositiveIntegerField(_("price (points)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["price", "name"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="points_item_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """How many of one item one exchange point holds; caches the sum of its movements."""

    point = protected_link(ExchangePoint, related_name="stocks", verbose_name=_("point"))
    item = protected_link(Item, related_name="stocks", verbose_name=_("item"))
    quantity = models.IntegerField(_("quantity"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set by the points home page on each offer: the redeem step's fields, with its one-time
    # idempotency key.
    redeem_params: dict[str, int | str]

    objects = StockQuerySet.as_manager()

    class Meta:
        ordering = ["point__name", "item__price", "item__name"]
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["point", "item"], name="points_stock_unique_per_point"),
            at_least("quantity", 0, name="points_stock_quantity_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.point} · {self.item}"


class StockMovement(AppendOnlyModel):
    """One change of a stock: restock, redemption, return or write-off. Never changed."""

    class Kind(models.TextChoices):
        RESTOCK = "restock", _("Restock")
        REDEMPTION = "redemption", _("Redemption")
        RETURN = "return", _("Return")
        WRITE_OFF = "write_off", _("Write-off")

    stock = protected_link(Stock, related_name="movements", verbose_name=_("stock"))
    kind = CleanCharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))
    reference = CleanCharField(
        _("reference"),
        max_length=120,
        help_text=_("Unique per stock, so a repeated restock or return counts once."),
    )
    voucher = models.ForeignKey(
        "Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("voucher"),
    )

    objects: ClassVar = StockMovementQuerySet.as_manager()

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.UniqueConstraint(
                fields=["stock", "reference"], name="points_movement_reference_unique_per_stock"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["restock", "return"], quantity__gt=0)
                    | Q(kind__in=["redemption", "write_off"], quantity__lt=0)
                ),
                name="points_movement_quantity_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d}"


class VoucherQuerySet(OperatedQuerySet):
    def for_member_user(self, user) -> VoucherQuerySet:
        """Vouchers of the member linked to this login."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member__user=user)

    def for_operator(self, user) -> VoucherQuerySet:
        """Vouchers of the exchange points this login operates (all of them for superusers)."""
        return self.filter(point__in=ExchangePoint.objects.operated_by(user))

    def issued(self) -> VoucherQuerySet:
        return self.filter(status=Voucher.Status.ISSUED)


class Voucher(models.Model):
    """Proof that a member paid for an item at a point; handed over once by its operator."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Ready to collect")
        USED = "used", _("Collected")
        CANCELLED = "cancelled", pgettext_lazy("voucher status", "Cancelled")
        EXPIRED = "expired", _("Expired")

    code = CleanCharField(_("voucher code"), max_length=8, unique=True)
    member = protected_link(Member, related_name="vouchers", verbose_name=_("member"))
    item = protected_link(Item, related_name="vouchers", verbose_name=_("item"))
    point = protected_link(ExchangePoint, related_name="vouchers", verbose_name=_("point"))
    price = models.PositiveIntegerField(_("points paid"))
    status = CleanCharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    idempotency_key = CleanCharField(_("idempotency key"), max_length=120)
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = stamp(_("collected"))
    used_by = acting_user(_("handed over by"), on_delete=models.PROTECT)
    closed_at = stamp(_("cancelled or expired"))

    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "idempotency_key"], name="points_voucher_key_unique_per_member"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="points_voucher_price_positive"),
            ends_after("expires_at", "issued_at", name="points_voucher_expires_after_issue"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        """The code in two groups of four, as people read it aloud."""
        return f"{self.code[:4]}-{self.code[4:]}"


class ReconciliationRun(models.Model):
    """The outcome of one check that cached balances and stock match their histories."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    run_key = CleanCharField(
        _("run key"),
        max_length=40,
        unique=True,
        help_text=_("The nightly run uses the date, so running it twice checks once."),
    )
    accounts_checked = models.PositiveIntegerField(_("accounts checked"))
    stocks_checked = models.PositiveIntegerField(_("stocks checked"))
    entries_checked = models.PositiveBigIntegerField(_("entries checked"))
    differences = models.JSONField(_("differences"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self) -> str:
        return self.run_key

    @property
    def is_clean(self) -> bool:
        return not self.differences
