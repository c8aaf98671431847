"""Staff admin of the catalogue, requests, records and activities.

Lifecycle fields are read-only here: requests move through `services.actions` (the portal's
request page, or the admin actions below), so every step is logged and notified.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from members.admin_audit import ScopedObjectMixin, SheetAuditMixin
from rota.models import MonthlyTheme, Organisation
from services import actions
from services.models import (
    Activity,
    Attendance,
    Category,
    RecordPhoto,
    RequestEvent,
    Service,
    ServiceRecord,
    ServiceRequest,
    SignUp,
)
from services.querysets import sees_every_organisation
from services.sheets import ServiceRecordResource


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position")
    list_editable = ("position",)
    search_fields = ("name", "code")
    ordering = ("position", "pk")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "venue", "is_active", "updated_at")
    list_filter = ("category", "venue", "is_active")
    list_select_related = ("category",)
    search_fields = ("title", "description", "search_pinyin")
    autocomplete_fields = ("category",)
    filter_horizontal = ("providers",)


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "by", "note", "notified_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        return queryset


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ScopedObjectMixin, admin.ModelAdmin):
    list_display = (
        "pk",
        "service",
        "requester",
        "status",
        "organisation",
        "created_at",
        "rating",
        "overdue_flagged_at",
    )
    list_filter = (OverdueFilter, "status", "service__category", "organisation")
    list_select_related = ("service", "requester", "organisation")
    list_display_links = ("pk", "service")
    search_fields = ("service__title", "details", "organisation__name")
    autocomplete_fields = ("service", "requester", "enterprise")
    readonly_fields = (
        "status",
        "organisation",
        "dispatched_at",
        "answered_at",
        "decline_reason",
        "completed_at",
        "rating",
        "rating_comment",
        "rated_at",
        "overdue_flagged_at",
        "created_at",
        "updated_at",
    )
    inlines = [RequestEventInline]
    actions = ["flag_overdue"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # Alliance contacts: requests dispatched to their organisations; others' ids are 404.
        return super().get_queryset(request).managed_by(request.user)

    @admin.action(description=_("Flag overdue requests now (all, not only the selected)"))
    def flag_overdue(self, request, queryset):
        count = actions.flag_overdue_requests()
        self.message_user(
            request,
            ngettext("%(count)d request flagged.", "%(count)d requests flagged.", count)
            % {"count": count},
        )


class RecordPhotoInline(admin.TabularInline):
    model = RecordPhoto
    extra = 1


@admin.register(ServiceRecord)
class ServiceRecordAdmin(SheetAuditMixin, ExportMixin, admin.ModelAdmin):
    """Records are exported to Excel (xlsx or csv) by staff who may view them."""

    resource_classes = [ServiceRecordResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    list_display = ("delivered_on", "service", "organisation", "duty_week", "people_served")
    list_filter = ("service__category", "organisation", "delivered_on")
    list_select_related = ("service", "organisation", "duty_week__organisation")
    search_fields = ("service__title", "organisation__name", "notes")
    autocomplete_fields = ("service", "organisation")
    raw_id_fields = ("request",)
    readonly_fields = ("duty_week", "request", "recorded_by", "created_at", "updated_at")
    date_hierarchy = "delivered_on"
    inlines = [RecordPhotoInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        # The duty week follows the date, as in services.actions.record_service.
        obj.duty_week = actions.duty_week_for(obj.delivered_on)
        super().save_model(request, obj, form, change)


class SignUpInline(admin.TabularInline):
    model = SignUp
    extra = 0
    fields = ("member", "status", "created_at", "promoted_at", "cancelled_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ScopedObjectMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "organisation",
        "starts_at",
        "venue",
        "capacity",
        "points",
        "is_published",
    )
    list_filter = ("category", "is_published", "organisation")
    list_select_related = ("category", "organisation")
    search_fields = ("title", "description", "venue", "monthly_theme__title")
    autocomplete_fields = ("category", "organisation", "monthly_theme")
    date_hierarchy = "starts_at"
    inlines = [SignUpInline]
    actions = ["fill_places"]

    def get_queryset(self, request):
        # Alliance contacts: their organisations' activities; others' ids are 404.
        return super().get_queryset(request).managed_by(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not sees_every_organisation(request.user):
            kwargs["queryset"] = Organisation.objects.for_contact(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.monthly_theme is None:
            # The month's theme of the covenant calendar, when staff set one for that month.
            obj.monthly_theme = MonthlyTheme.objects.filter(
                month=timezone.localtime(obj.starts_at).date().replace(day=1)
            ).first()
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = actions.promote_waiting(activity=obj)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d member moved up from the waiting list.",
                        "%(count)d members moved up from the waiting list.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                )

    @admin.action(description=_("Fill free places from the waiting list"))
    def fill_places(self, request, queryset):
        count = sum(len(actions.promote_waiting(activity=a)) for a in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d member moved up from the waiting list.",
                "%(count)d members moved up from the waiting list.",
                count,
            )
            % {"count": count},
        )


@admin.register(SignUp)
class SignUpAdmin(admin.ModelAdmin):
    list_display = ("member", "activity", "status", "created_at", "promoted_at")
    list_filter = ("status", "activity__category")
    list_select_related = ("member", "activity")
    search_fields = ("member__name", "activity__title")
    autocomplete_fields = ("activity", "member")
    readonly_fields = ("status", "created_at", "updated_at", "promoted_at", "cancelled_at")
    actions = ["cancel_signups"]

    def has_add_permission(self, request) -> bool:
        return False  # members sign up on the portal; capacity is checked there

    @admin.action(description=_("Cancel the selected sign-ups (the waiting list moves up)"))
    def cancel_signups(self, request, queryset):
        done = 0
        for signup in queryset.select_related("activity", "member"):
            try:
                actions.cancel_sign_up(signup=signup, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{signup}: {' '.join(exc.messages)}", messages.WARNING)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d sign-up cancelled.", "%(count)d sign-ups cancelled.", done)
            % {"count": done},
        )


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Attendance is evidence for awarded points: read-only, written by check-in only."""

    list_display = ("member", "activity", "method", "checked_in_at", "points_awarded")
    list_filter = ("method", "activity__category")
    list_select_related = ("member", "activity")
    search_fields = ("member__name", "activity__title")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
