"""Spreadsheet exports of the wish wall for the centre's reports (xlsx, CSV), never imports.

Headers are the fields' Chinese names; text a spreadsheet would run as a formula is defused
(`members.sheets.resources.ExportResource`).
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
    title = fields.Field(attribute="title", column_name=_("title"))
    category = fields.Field(attribute="category__name", column_name=_("category"))
    status = ChoiceLabelField(attribute="status", column_name=_("status"))
    claimed_by = fields.Field(column_name=_("claiming organisations"))
    created_at = fields.Field(attribute="created_at", column_name=_("created"))
    published_at = fields.Field(attribute="published_at", column_name=_("published"))
    fulfilled_at = fields.Field(attribute="fulfilled_at", column_name=_("fulfilled"))
    confirmed_at = fields.Field(attribute="confirmed_at", column_name=_("confirmed"))
    reopen_count = fields.Field(attribute="reopen_count", column_name=_("times reopened"))

    class Meta:
        model = Wish
        fields = (
            "title",
            "category",
            "status",
            "claimed_by",
            "created_at",
            "published_at",
            "fulfilled_at",
            "confirmed_at",
            "reopen_count",
        )
        export_order = fields

    def dehydrate_claimed_by(self, wish: Wish) -> str:
        return "、".join(claim.organisation.name for claim in wish.claims.all() if claim.is_active)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("category").prefetch_related(
            Prefetch("claims", queryset=Claim.objects.select_related("organisation"))
        )


class ClaimResource(ExportResource):
    wish = fields.Field(attribute="wish__title", column_name=_("wish"))
    wish_status = ChoiceLabelField(attribute="wish__status", column_name=_("status of the wish"))
    organisation = fields.Field(attribute="organisation__name", column_name=_("organisation"))
    promised_on = fields.Field(attribute="promised_on", column_name=_("promised by"))
    created_at = fields.Field(attribute="created_at", column_name=_("claimed"))
    released_at = fields.Field(attribute="released_at", column_name=_("released"))
    release_reason = fields.Field(attribute="release_reason", column_name=_("reason for releasing"))

    class Meta:
        model = Claim
        fields = (
            "wish",
            "wish_status",
            "organisation",
            "promised_on",
            "created_at",
            "released_at",
            "release_reason",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("wish", "organisation")
