"""Staff admin of the points app: ledgers read-only, every write through `points.actions`."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from members.admin_base import (
    NoAddAdmin,
    OwnPagesMixin,
    ReadOnlyAdmin,
    ScopedObjectMixin,
    SheetExportMixin,
    VisibleRowsMixin,
    form_page,
    one_choice_filter,
    page_button,
    row_action,
    status_column,
)
from members.audit import get_in_scope_or_404
from members.masking import account_label
from members.text import CleanCharFormField
from points import actions
from points.models import (
    Account,
    Entry,
    ExchangePoint,
    Item,
    Policy,
    ReconciliationRun,
    Stock,
    StockMovement,
    Voucher,
)
from points.sheets import (
    AccountResource,
    EntryResource,
    StockMovementResource,
    StockResource,
    VoucherResource,
)

VOUCHER_CODE_QUERY = re.compile(r"^[0-9A-Za-z]{4}[-\s]?[0-9A-Za-z]{4}$")


class LedgerAdmin(SheetExportMixin, ReadOnlyAdmin):
    """A ledger: staff look, filter and export; its rows are written by points.actions only."""

    @admin.display(description=_("by"), ordering="created_by")
    def creator(self, obj) -> str:
        return account_label(obj.created_by)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "default_monthly_cap", "voucher_valid_days", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return not Policy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


# The largest adjustment or stock change one form takes: far above any real one (an item
# costs tens of points), and far below the database column's limit (a number past it was a 500).
FORM_NUMBER_LIMIT = 100_000


class AdjustmentForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Points"),
        min_value=-FORM_NUMBER_LIMIT,
        max_value=FORM_NUMBER_LIMIT,
        help_text=_("Positive to add, negative to take away."),
        error_messages={"required": _("Enter the points to add or take away.")},
    )
    reason = CleanCharFormField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("An adjustment needs a reason.")},
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(
                _("An adjustment must be a whole number other than zero."), code="zero"
            )
        return amount


@admin.register(Account)
class AccountAdmin(SheetExportMixin, OwnPagesMixin, NoAddAdmin):
    """Accounts open with a member's first points and stay: no add page, never deleted."""

    own_pages = (("<id:pk>/adjust/", "adjust_view", "adjust"),)
    resource_classes = [AccountResource]
    list_display = ("member", "branch", "balance", "monthly_cap", "updated_at")
    list_filter = (("member__branch", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("member__name", "member__name_pinyin")
    list_select_related = ("member__branch",)
    readonly_fields = ("member", "balance", "adjust_link", "created_at", "updated_at")
    fields = ("member", "balance", "monthly_cap", "adjust_link", "created_at", "updated_at")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("branch"), ordering="member__branch__name")
    def branch(self, account: Account) -> str:
        return str(account.member.branch)

    @admin.display(description=_("manual adjustment"))
    def adjust_link(self, account: Account) -> str:
        if not account.pk:
            return "-"
        return page_button(self, "adjust", account, _("Adjust balance"))

    def adjust_view(self, request, pk: int):
        """Staff enter a signed amount and a required reason; the ledger gets a new entry."""
        account = get_object_or_404(Account.objects.select_related("member"), pk=pk)
        if not request.user.has_perm("points.add_entry"):
            raise PermissionDenied
        return form_page(
            self,
            request,
            "admin/points/account/adjust.html",
            form=AdjustmentForm(request.POST or None),
            act=lambda data: actions.adjust(
                member=account.member,
                amount=data["amount"],
                reason=data["reason"],
                by=request.user,
                idempotency_key=request.POST.get("key", ""),
            ),
            done=_("The balance was adjusted."),
            obj=account,
            title=_("Adjust the balance of %(member)s") % {"member": account.member},
            account=account,
            key=request.POST.get("key") or uuid.uuid4().hex,
        )


@admin.register(Entry)
class EntryAdmin(LedgerAdmin):
    resource_classes = [EntryResource]
    list_display = ("created_at", "account", "kind", "amount", "reason", "source", "creator")
    list_filter = (
        "kind",
        "created_at",
        ("account__member__branch", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("account__member__name", "source", "reason", "voucher__code")
    list_select_related = ("account__member", "created_by")
    date_hierarchy = "created_at"
    exclude = ("idempotency_key",)  # internal; `source` says where an entry comes from


@admin.register(ExchangePoint)
class ExchangePointAdmin(ScopedObjectMixin, admin.ModelAdmin):
    list_display = ("name", "address", "opening_hours", "operator_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "address")
    autocomplete_fields = ("operators",)

    def get_queryset(self, request):
        # Operators see their own points only; others' ids are 404 (and recorded).
        queryset = super().get_queryset(request).visible_to(request.user)
        # A grouped query ignores Meta.ordering; autocomplete pages need a stable one.
        return queryset.annotate(n_operators=Count("operators")).order_by("name", "pk")

    @admin.display(description=_("operators"), ordering="n_operators")
    def operator_count(self, point) -> int:
        return point.n_operators


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "price", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "description")


class StockChangeForm(forms.Form):
    """A restock or a write-off of one stock; redemptions and returns come from vouchers."""

    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (StockMovement.Kind.RESTOCK, StockMovement.Kind.RESTOCK.label),
            (StockMovement.Kind.WRITE_OFF, StockMovement.Kind.WRITE_OFF.label),
        ],
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(
        label=_("quantity"),
        min_value=1,
        max_value=FORM_NUMBER_LIMIT,
        help_text=_("How many items, always above zero."),
    )
    reason = CleanCharFormField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("A stock change needs a reason.")},
    )


LowStockFilter = one_choice_filter(
    _("stock level"), _("Low: restock soon"), parameter="low", pick=lambda rows: rows.low()
)


@admin.register(Stock)
class StockAdmin(SheetExportMixin, OwnPagesMixin, VisibleRowsMixin, admin.ModelAdmin):
    """Operators see their own points only; others' ids are 404 (and recorded)."""

    own_pages = (("<id:pk>/move/", "move_view", "move"),)
    resource_classes = [StockResource]
    list_display = ("point", "item", "quantity", "updated_at")
    list_filter = (LowStockFilter, ("point", admin.RelatedOnlyFieldListFilter), "item__kind")
    search_fields = ("item__name", "point__name")
    list_select_related = ("point", "item")
    autocomplete_fields = ("point", "item")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("point", "item")  # a new pair starts empty; a restock fills it
        if request.user.has_perm("points.change_stock"):
            return ("point", "item", "quantity", "updated_at", "change_link")
        return ("point", "item", "quantity", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return ("point", "item", "quantity", "updated_at", "change_link") if obj else ()

    def has_change_permission(self, request, obj=None):
        # The quantity moves only through restock and write-off (the button on the row,
        # which calls points.actions); the pair itself is fixed once created.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("restock or write-off"))
    def change_link(self, stock: Stock) -> str:
        return page_button(self, "move", stock, _("Record a stock change"))

    def move_view(self, request, pk: int):
        """Staff record a restock or a write-off; the stock gets a new movement, once per form."""
        stock = get_in_scope_or_404(
            self.get_queryset(request).select_related("point", "item"), request=request, pk=pk
        )
        if not request.user.has_perm("points.change_stock"):
            raise PermissionDenied
        key = request.POST.get("key") or uuid.uuid4().hex

        def change(data: dict) -> StockMovement:
            move = (
                actions.restock if data["kind"] == StockMovement.Kind.RESTOCK else actions.write_off
            )
            return move(
                point=stock.point,
                item=stock.item,
                quantity=data["quantity"],
                reason=data["reason"],
                by=request.user,
                # The form's one-time key: a double submit records one movement.
                reference=f"admin:{key[:64]}",
            )

        return form_page(
            self,
            request,
            "admin/points/stock/move.html",
            form=StockChangeForm(request.POST or None),
            act=change,
            done=_("The stock change was recorded."),
            obj=stock,
            error_field="quantity",
            title=_("Restock or write off: %(stock)s") % {"stock": stock},
            stock=stock,
            key=key,
        )


@admin.register(StockMovement)
class StockMovementAdmin(VisibleRowsMixin, LedgerAdmin):
    resource_classes = [StockMovementResource]
    list_display = ("created_at", "stock", "kind", "quantity", "reason", "voucher", "creator")
    list_filter = ("kind", ("stock__point", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("stock__item__name", "stock__point__name", "reason", "voucher__code")
    list_select_related = ("stock__point", "stock__item", "voucher", "created_by")
    date_hierarchy = "created_at"


VOUCHER_TONES = {"issued": "waiting", "used": "done", "cancelled": "refused", "expired": "refused"}


@admin.register(Voucher)
class VoucherAdmin(VisibleRowsMixin, LedgerAdmin):
    resource_classes = [VoucherResource]
    list_display = (
        "display_code",
        "member",
        "item",
        "point",
        "price",
        status_column(VOUCHER_TONES),
        "issued_at",
        "expires_at",
        "used_at",
    )
    list_filter = ("status", ("point", admin.RelatedOnlyFieldListFilter), "item__kind")
    search_fields = ("code", "member__name", "item__name")
    search_help_text = _("Voucher code (ABCD-EFGH or abcdefgh), member or item.")
    list_select_related = ("member", "item", "point")
    date_hierarchy = "issued_at"
    exclude = ("idempotency_key",)  # internal: the member's form key
    actions = ["cancel_selected", "expire_due"]

    def get_search_results(self, request, queryset, search_term):
        # Codes are read aloud in two groups of four: find "abcd-efgh" as ABCDEFGH too.
        if VOUCHER_CODE_QUERY.match(search_term.strip()):
            search_term = actions.normalize_code(search_term)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("voucher code"), ordering="code")
    def display_code(self, voucher: Voucher) -> str:
        return voucher.display_code

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("points.change_voucher")

    cancel_selected = row_action(
        lambda voucher, user: actions.cancel_voucher(voucher=voucher, by=user),
        lambda count: _("%(n)s vouchers cancelled.") % {"n": count},
        description=_("Cancel the selected vouchers (points and items come back)"),
        permissions=["cancel"],
        rows=lambda vouchers: vouchers.select_related("member", "item"),
    )
    expire_due = row_action(
        lambda voucher, user: actions.expire(voucher=voucher),
        lambda count: _("%(n)s vouchers expired.") % {"n": count},
        description=_("Expire the selected vouchers that are past their date"),
        permissions=["cancel"],
        rows=lambda vouchers: vouchers.select_related("member", "item"),
    )


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "run_key",
        "accounts_checked",
        "entries_checked",
        "stocks_checked",
        "difference_count",
        "clean",
    )
    list_filter = ("started_at",)
    search_fields = ("run_key",)
    date_hierarchy = "started_at"

    @admin.display(description=_("differences"))
    def difference_count(self, run: ReconciliationRun) -> int:
        return len(run.differences)

    @admin.display(description=_("books match"), boolean=True)
    def clean(self, run: ReconciliationRun) -> bool:
        return run.is_clean
