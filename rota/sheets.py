"""Spreadsheet exports of the rota for staff (xlsx, CSV) through django-import-export.

Headers are the fields' Chinese names; text that a spreadsheet would run as a formula is
defused with a leading apostrophe. Contacts appear by name only, never with their mobile.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from rota.models import DutyWeek, Organisation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeResource(resources.ModelResource):
    def export_field(self, field, instance, **kwargs):
        return _safe(super().export_field(field, instance, **kwargs))


class DutyWeekResource(SafeResource):
    week_start = fields.Field(attribute="week_start", column_name=_("week starting (Monday)"))
    organisation = fields.Field(attribute="organisation__name", column_name=_("organisation"))
    status = fields.Field(column_name=_("status"))
    acknowledged_at = fields.Field(attribute="acknowledged_at", column_name=_("acknowledged"))
    services = fields.Field(column_name=_("number of services"))
    participants = fields.Field(column_name=_("participants"))

    class Meta:
        model = DutyWeek
        fields = (
            "week_start",
            "organisation",
            "status",
            "acknowledged_at",
            "services",
            "participants",
        )
        export_order = fields

    def dehydrate_status(self, week: DutyWeek) -> str:
        return str(week.get_status_display())

    def dehydrate_services(self, week: DutyWeek):
        report = getattr(week, "report", None)
        return report.services_delivered if report else ""

    def dehydrate_participants(self, week: DutyWeek):
        report = getattr(week, "report", None)
        return report.participants if report else ""

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("organisation", "report")


class OrganisationResource(SafeResource):
    name = fields.Field(attribute="name", column_name=_("name"))
    short_name = fields.Field(attribute="short_name", column_name=_("short name"))
    kind = fields.Field(column_name=_("kind"))
    duty_contact = fields.Field(column_name=_("duty contact"))
    backup_contact = fields.Field(column_name=_("backup contact"))
    is_active = fields.Field(attribute="is_active", column_name=_("active"))
    joined_on = fields.Field(attribute="joined_on", column_name=_("joined"))

    class Meta:
        model = Organisation
        fields = (
            "name",
            "short_name",
            "kind",
            "duty_contact",
            "backup_contact",
            "is_active",
            "joined_on",
        )
        export_order = fields

    def dehydrate_kind(self, org: Organisation) -> str:
        return str(org.get_kind_display())

    def dehydrate_duty_contact(self, org: Organisation) -> str:
        return str(org.duty_contact) if org.duty_contact else ""

    def dehydrate_backup_contact(self, org: Organisation) -> str:
        return str(org.backup_contact) if org.backup_contact else ""

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("duty_contact", "backup_contact")
