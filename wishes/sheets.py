"""Spreadsheet exports of the wish wall for the centre's reports (xlsx, CSV), never imports.

Columns come in the order of Meta.fields, headed by the model fields' names (translated); text
a spreadsheet would run as a formula is defused (`members.sheets.resources.ExportResource`).
Wishers never appear (not even masked): a report counts wishes, it does not list people.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from import_export import fields

from members.sheets.cells import ChoiceLabelField
from members.sheets.resources import ExportResource
from wishes.models import Claim, Wish


class WishResource(ExportResource):
    claimed_by = fields.Field(column_name=_("claiming organisations"))

    class Meta:
        model = Wish
        fields = (
            "title",
            "category__name",
            "status",
            "claimed_by",
            "created_at",
            "published_at",
            "fulfilled_at",
            "confirmed_at",
            "reopen_count",
        )

    def dehydrate_claimed_by(self, wish: Wish) -> str:
        return "、".join(claim.organisation.name for claim in wish.claims.all() if claim.is_active)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("category").prefetch_related(
            Prefetch("claims", queryset=Claim.objects.select_related("organisation"))
        )


class ClaimResource(ExportResource):
    wish_status = ChoiceLabelField(attribute="wish__status", column_name=_("status of the wish"))

    class Meta:
        model = Claim
        fields = (
            "wish__title",
            "wish_status",
            "organisation__name",
            "promised_on",
            "created_at",
            "released_at",
            "release_reason",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("wish", "organisation")
