"""Spreadsheet export of service records (xlsx/csv) for staff: the evidence behind the figures.

Column headers are the translated field names (Chinese by default); cells a spreadsheet would
evaluate as a formula are escaped with members.sheets.escape_formula.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from members.sheets import escape_formula
from services.models import ServiceRecord


class ServiceRecordResource(resources.ModelResource):
    # Dates and numbers stay dates and numbers in the sheet (not text).
    delivered_on = fields.Field(
        attribute="delivered_on",
        column_name=_("Date delivered"),
        widget=widgets.DateWidget(coerce_to_string=False),
    )
    category = fields.Field(attribute="service__category__name", column_name=_("Category"))
    service = fields.Field(attribute="service__title", column_name=_("Service"))
    organisation = fields.Field(attribute="organisation__name", column_name=_("Organisation"))
    duty_week = fields.Field(
        attribute="duty_week__week_start",
        column_name=_("Duty week"),
        widget=widgets.DateWidget(coerce_to_string=False),
    )
    people_served = fields.Field(
        attribute="people_served",
        column_name=_("People served"),
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    from_request = fields.Field(
        attribute="request_id",
        column_name=_("Request No."),
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    notes = fields.Field(attribute="notes", column_name=_("Notes"))

    class Meta:
        model = ServiceRecord
        fields = (
            "delivered_on",
            "category",
            "service",
            "organisation",
            "duty_week",
            "people_served",
            "from_request",
            "notes",
        )
        export_order = fields

    def get_export_headers(self, *args, **kwargs) -> list[str]:
        return [str(header) for header in super().get_export_headers(*args, **kwargs)]

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("service__category", "organisation", "duty_week")
