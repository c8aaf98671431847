"""Spreadsheets (xlsx/csv): the service list (export and import, kept by staff in Excel),
service records, the evidence behind the figures, and the sign-up and attendance lists of
activities (printed for the desk, kept for volunteer hours).

Column headers are the translated field names (Chinese by default); formula safety, the header
check and the every-row-or-none import are the portal's sheet toolkit (`members.sheets`).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from members.sheets.cells import (
    ChineseDateWidget,
    ChoiceLabelField,
    Column,
    Lookup,
    active_column,
    cell_text,
    choice_column,
    lookup_column,
    text_column,
)
from members.sheets.resources import ExportResource, SheetResource
from rota.models import Organisation
from services import actions
from services.models import Attendance, Category, Service, ServiceRecord, SignUp

CATEGORIES = Lookup(Category.objects.all, ("name", "code"), _("service category"))
ORGANISATIONS = Lookup(Organisation.objects.all, ("name", "short_name"), _("organisation"))


class ServiceResource(SheetResource):
    """The service list, one row per service, identified by its category and title.

    Fixed Chinese headers (the file format, as the members' sheets); categories and providers
    are written by name, several providers in one cell separated by 、.
    """

    title = text_column("title", "服务名称", example="政策咨询")
    category = lookup_column("category", "类别", CATEGORIES, required=True, example="志愿帮扶")
    venue = choice_column("venue", "服务地点", Service.Venue.choices)
    providers = lookup_column(
        "providers", "提供单位", ORGANISATIONS, many=True, example="团县委、德清县示例志愿服务队"
    )
    description = text_column("description", "服务内容", example="解答企业和群众关心的政策问题。")
    how_to_get = text_column("how_to_get", "获取方式", example="到党群服务中心或电话预约。")
    is_active = active_column("在用")

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
        import_id_fields = ("category", "title")

    def required_columns(self) -> list[str]:
        return ["类别", "服务名称", "服务地点"]

    def check_row(self, instance, row, errors) -> None:
        # Providers are set after the row is saved, where an unknown name would be a bare
        # "row cannot be saved": check them with the other cells, so the column is named.
        self.clean_column("providers", row, errors)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("category").prefetch_related("providers")


class RecordDateWidget(ChineseDateWidget):
    """A date cell on export (Excel sorts and filters it as a date); text dates on import."""

    def render(self, value, obj=None, **kwargs):
        return value


class CountWidget(widgets.Widget):
    """A whole number; negative and zero counts are judged by the record's rules."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a whole number of people.") % {"value": text}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value


class RecordIdWidget(CountWidget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text and not text.isdigit():
            raise ValueError(_("“%(value)s” is not a record number.") % {"value": text})
        return int(text) if text else None


class ServiceWidget(widgets.Widget):
    """The service by its title within the row's category (titles are unique per category)."""

    def clean(self, value, row=None, **kwargs):
        title = cell_text(value)
        if not title:
            raise ValueError(_("This column must not be empty."))
        category = cell_text((row or {}).get(RECORD_CATEGORY_COLUMN))
        matches = Service.objects.filter(title=title)
        if category:
            matches = matches.filter(Q(category__name=category) | Q(category__code=category))
        found = list(matches[:2])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                _("Several services are called “%(value)s”; fill in the category column.")
                % {"value": title}
            )
        raise ValueError(
            _("No service “%(value)s” in the category “%(category)s”.")
            % {"value": title, "category": category}
        )

    def render(self, value, obj=None, **kwargs):
        return value.title if value is not None else ""


RECORD_ID_COLUMN = "记录编号"
RECORD_CATEGORY_COLUMN = "类别"

# Which column each rule of services.actions.check_record is about.
_RULE_FIELDS = {
    "not_provider": "organisation",
    "future": "delivered_on",
    "people": "people_served",
}


class ServiceRecordResource(SheetResource):
    """The history of services delivered, one row per record (the "160+ services").

    Fixed Chinese headers, the file format whatever the interface language. The identity is
    the portal's record number, 记录编号: a row with a number updates that record (an
    exported file imported back unchanged changes nothing, its rows are skipped); a row
    without one adds a record; a number the portal does not know is an error, never a new
    record under that number. There is no natural key: one organisation may deliver the same
    service twice on one day. The service is found by its title within the row's category.

    Every row keeps the rules of services.actions.check_record, as a record entered on the
    form does; the duty week follows the date, as there; 轮值周 and 申请编号 are exported for
    reading only. New rows are recorded by the importing staff member.

    No points: records award no volunteer points (points come from attendance at activities),
    so importing history, once or again, awards nothing. Records do feed the alliance ranking;
    a closed month's ranking is a frozen snapshot, so back-dated rows count only in months not
    yet published. Re-importing the exported file adds nothing (the numbers match).
    """

    # The example row is a new record: 记录编号 blank; 轮值周 and 申请编号 are for reading only.
    id = fields.Field(attribute="id", column_name=RECORD_ID_COLUMN, widget=RecordIdWidget())
    delivered_on = Column(
        attribute="delivered_on",
        column_name="服务日期",
        widget=RecordDateWidget(),
        example="2026-11-20",
    )
    # Checked in check_row; the service column picks the service.
    category = lookup_column(
        "service__category",
        RECORD_CATEGORY_COLUMN,
        CATEGORIES,
        required=True,
        readonly=True,
        example="志愿帮扶",
    )
    service = Column(
        attribute="service", column_name="服务", widget=ServiceWidget(), example="政策咨询"
    )
    organisation = lookup_column(
        "organisation", "成员单位", ORGANISATIONS, required=True, example="团县委"
    )
    duty_week = fields.Field(
        attribute="duty_week__week_start",
        column_name="轮值周",
        widget=RecordDateWidget(),
        readonly=True,
    )
    people_served = Column(
        attribute="people_served", column_name="服务人数", widget=CountWidget(), example="12"
    )
    from_request = fields.Field(
        attribute="request_id", column_name="申请编号", widget=CountWidget(), readonly=True
    )
    notes = text_column("notes", "备注")

    class Meta:
        model = ServiceRecord
        fields = (
            "id",
            "delivered_on",
            "category",
            "service",
            "organisation",
            "duty_week",
            "people_served",
            "from_request",
            "notes",
        )
        import_id_fields = ("id",)

    unknown_number_message = _(
        "No service record No. %(number)s exists; leave the column empty for a new record."
    )

    # The record's rules are checked by check_record (people_served >= 1 included).
    checked_by_resource = frozenset({"people_served"})

    def required_columns(self) -> list[str]:
        return [
            RECORD_ID_COLUMN,
            "服务日期",
            RECORD_CATEGORY_COLUMN,
            "服务",
            "成员单位",
            "服务人数",
        ]

    def check_row(self, instance, row, errors) -> None:
        self.clean_column("category", row, errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        checked = ("service", "organisation", "delivered_on", "people_served")
        if not any(name in errors for name in checked) and all(
            getattr(instance, name if name not in ("service", "organisation") else f"{name}_id")
            is not None
            for name in checked
        ):
            try:
                # The form's rules, not a copy of them; a record from a request keeps it,
                # so its provider is not re-checked (as when the request was completed).
                actions.check_record(
                    service=instance.service,
                    organisation=instance.organisation,
                    delivered_on=instance.delivered_on,
                    people_served=instance.people_served,
                    by=self.user,
                    request=instance.request if instance.request_id else None,
                )
            except ValidationError as exc:
                key = _RULE_FIELDS.get(exc.code, NON_FIELD_ERRORS)
                errors.setdefault(key, []).append(exc)
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        # As in services.actions._create_record: the duty week follows the date.
        instance.duty_week = actions.duty_week_for(instance.delivered_on)
        instance.notes = instance.notes.strip()
        if instance.pk is None:
            instance.recorded_by = self.user

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("service__category", "organisation", "duty_week")


def _local_minute(value) -> str:
    # Text, not a datetime: spreadsheets have no time zones, and the centre reads local time.
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ActivityListResource(ExportResource):
    """Columns shared by the sign-up and attendance lists: which activity, which member."""

    activity = fields.Field(attribute="activity__title", column_name=_("Activity"))
    organiser = fields.Field(
        attribute="activity__organisation__name", column_name=_("Organised by")
    )
    starts = fields.Field(column_name=_("Starts"))
    member = fields.Field(attribute="member__name", column_name=_("Member"))
    branch = fields.Field(attribute="member__branch__name", column_name=_("Branch"))

    def dehydrate_starts(self, row) -> str:
        return _local_minute(row.activity.starts_at)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("activity__organisation", "member__branch")


class SignUpResource(ActivityListResource):
    status = ChoiceLabelField(attribute="status", column_name=_("Status"))
    signed_up = fields.Field(column_name=_("Signed up at"))

    class Meta:
        model = SignUp
        fields = ("activity", "organiser", "starts", "member", "branch", "status", "signed_up")

    def dehydrate_signed_up(self, signup: SignUp) -> str:
        return _local_minute(signup.created_at)


class AttendanceResource(ActivityListResource):
    method = ChoiceLabelField(attribute="method", column_name=_("How"))
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

    def dehydrate_checked_in(self, attendance: Attendance) -> str:
        return _local_minute(attendance.checked_in_at)
