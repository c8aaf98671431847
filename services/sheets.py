"""Spreadsheets (xlsx/csv): the service list (export and import, kept by staff in Excel),
service records, the evidence behind the figures, and the sign-up and attendance lists of
activities (printed for the desk, kept for volunteer hours).

Column headers are the translated field names (Chinese by default); cells a spreadsheet would
evaluate as a formula are escaped with members.sheets.escape_formula.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from members.sheets import (
    ChoiceWidget,
    LookupListWidget,
    LookupWidget,
    SheetResource,
    TextWidget,
    YesNoWidget,
    escape_formula,
)
from rota.models import Organisation
from services.models import Attendance, Category, Service, ServiceRecord, SignUp


class ServiceResource(SheetResource):
    """The service list, one row per service, identified by its category and title.

    Fixed Chinese headers (the file format, as the members' sheets); categories and providers
    are written by name, several providers in one cell separated by 、.
    """

    title = fields.Field(attribute="title", column_name="服务名称", widget=TextWidget())
    category = fields.Field(
        attribute="category",
        column_name="类别",
        widget=LookupWidget(
            queryset=Category.objects.all,
            lookups=("name", "code"),
            render_field="name",
            noun=_("service category"),
            required=True,
        ),
    )
    venue = fields.Field(
        attribute="venue", column_name="服务地点", widget=ChoiceWidget(Service.Venue.choices)
    )
    providers = fields.Field(
        attribute="providers",
        column_name="提供单位",
        widget=LookupListWidget(
            queryset=Organisation.objects.all,
            lookups=("name", "short_name"),
            render_field="name",
            noun=_("organisation"),
        ),
    )
    description = fields.Field(attribute="description", column_name="服务内容", widget=TextWidget())
    how_to_get = fields.Field(attribute="how_to_get", column_name="获取方式", widget=TextWidget())
    is_active = fields.Field(
        attribute="is_active", column_name="在用", widget=YesNoWidget(), default=True
    )

    class Meta:
        model = Service
        fields = (
            "category",
            "title",
            "venue",
            "providers",
            "description",
            "how_to_get",
            "is_active",
        )
        export_order = fields
        import_id_fields = ("category", "title")
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def required_columns(self) -> list[str]:
        return ["类别", "服务名称", "服务地点"]

    def import_instance(self, instance, row, **kwargs):
        # Providers are set after the row is saved, where an unknown name would be a bare
        # "row cannot be saved": check them with the other cells, so the column is named.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            self.fields["providers"].clean(row)
        except ValueError as exc:
            errors["providers"] = [ValidationError(str(exc), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("category").prefetch_related("providers")


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


def _local_minute(value) -> str:
    # Text, not a datetime: spreadsheets have no time zones, and the centre reads local time.
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ActivityListResource(resources.ModelResource):
    """Columns shared by the sign-up and attendance lists: which activity, which member."""

    activity = fields.Field(attribute="activity__title", column_name=_("Activity"))
    organiser = fields.Field(
        attribute="activity__organisation__name", column_name=_("Organised by")
    )
    starts = fields.Field(column_name=_("Starts"))
    member = fields.Field(attribute="member__name", column_name=_("Member"))
    branch = fields.Field(attribute="member__branch__name", column_name=_("Branch"))

    def get_export_headers(self, *args, **kwargs) -> list[str]:
        return [str(header) for header in super().get_export_headers(*args, **kwargs)]

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def dehydrate_starts(self, row) -> str:
        return _local_minute(row.activity.starts_at)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("activity__organisation", "member__branch")


class SignUpResource(ActivityListResource):
    status = fields.Field(column_name=_("Status"))
    signed_up = fields.Field(column_name=_("Signed up at"))

    class Meta:
        model = SignUp
        fields = ("activity", "organiser", "starts", "member", "branch", "status", "signed_up")
        export_order = fields

    def dehydrate_status(self, signup: SignUp) -> str:
        return str(signup.get_status_display())

    def dehydrate_signed_up(self, signup: SignUp) -> str:
        return _local_minute(signup.created_at)


class AttendanceResource(ActivityListResource):
    method = fields.Field(column_name=_("How"))
    checked_in = fields.Field(column_name=_("Checked in at"))
    points_awarded = fields.Field(
        attribute="points_awarded",
        column_name=_("Points awarded"),
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )

    class Meta:
        model = Attendance
        fields = (
            "activity",
            "organiser",
            "starts",
            "member",
            "branch",
            "method",
            "checked_in",
            "points_awarded",
        )
        export_order = fields

    def dehydrate_method(self, attendance: Attendance) -> str:
        return str(attendance.get_method_display())

    def dehydrate_checked_in(self, attendance: Attendance) -> str:
        return _local_minute(attendance.checked_in_at)
