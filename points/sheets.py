"""Spreadsheet exports of the points ledgers for staff (xlsx, CSV), never imports.

Columns listed by their model path are headed by the model field's verbose name (translated);
text a spreadsheet would run as a formula is defused (`members.sheets.resources.ExportResource`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields

from members.sheets.resources import ExportResource
from points.models import Account, Entry, Stock, StockMovement, Voucher


class AccountResource(ExportResource):
    branch = fields.Field(attribute="member__branch__name", column_name=_("branch"))

    class Meta:
        model = Account
        fields = ("member__name", "branch", "balance", "monthly_cap", "updated_at")


class EntryResource(ExportResource):
    class Meta:
        model = Entry
        fields = (
            "id",
            "created_at",
            "account__member__name",
            "kind",
            "amount",
            "reason",
            "source",
            "voucher__code",
        )


class StockResource(ExportResource):
    """The stocktake sheet: what each point should hold."""

    class Meta:
        model = Stock
        fields = ("point__name", "item__name", "quantity", "updated_at")


class StockMovementResource(ExportResource):
    class Meta:
        model = StockMovement
        fields = (
            "id",
            "created_at",
            "stock__point__name",
            "stock__item__name",
            "kind",
            "quantity",
            "reason",
        )


class VoucherResource(ExportResource):
    class Meta:
        model = Voucher
        fields = (
            "code",
            "member__name",
            "item__name",
            "point__name",
            "price",
            "status",
            "issued_at",
            "expires_at",
            "used_at",
        )
