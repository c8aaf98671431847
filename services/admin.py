"""Staff admin of the catalogue, requests, records, activities, sign-ups and attendance.

Lifecycle fields are read-only here: requests move through `services.actions` on the request's
page (a request staff add for a caller goes through `request_service` too), sign-ups through the
cancel action, attendance only through check-in; so every step is logged and notified.
Alliance contacts see the requests dispatched to their organisations and their organisations'
activities with those activities' sign-ups and attendance, each through the model's `managed_by`
(another organisation's id is a 404 with an audit record).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from django import forms
from django.contrib import admin
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from import_export.formats import base_formats

from members.admin_base import (
    ObjectStep,
    ObjectStepsMixin,
    PhotoColumnMixin,
    PhotoInline,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ScopedObjectMixin,
    SheetAdmin,
    SheetExportMixin,
    one_choice_filter,
    row_action,
    status_column,
    truncated,
)
from members.audit import get_in_scope_or_404
from members.images import remove_files_after_commit
from members.masking import account_label
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
from services.sheets import (
    AttendanceResource,
    ServiceRecordResource,
    ServiceResource,
    SignUpResource,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _ServiceCount(TypedDict):
    service_count: int


class _PlaceCounts(TypedDict):
    confirmed_count: int
    waiting_count: int


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position", "service_count")
    list_editable = ("position",)
    search_fields = ("name", "code")
    ordering = ("position", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(service_count=Count("services"))

    @admin.display(description=_("number of services"), ordering="service_count")
    def service_count(self, obj: WithAnnotations[Category, _ServiceCount]) -> int:
        return obj.service_count


@admin.register(Service)
class ServiceAdmin(SheetAdmin):
    """The service list; staff keep it in Excel too: export, edit, import (preview first,
    every row or none), matched by category and title."""

    resource_classes = [ServiceResource]
    import_template_name = "admin/services/import.html"
    list_display = ("title", "category", "venue", "provider_names", "is_active", "updated_at")
    list_filter = (
        "category",
        "venue",
        "is_active",
        ("providers", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("category",)
    search_fields = ("title", "description", "search_pinyin")
    autocomplete_fields = ("category",)
    filter_horizontal = ("providers",)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("providers", queryset=Organisation.objects.order_by("name")))
        )

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("services.add_service") and request.user.has_perm(
            "services.change_service"
        )

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("services.view_service")

    @admin.display(description=_("providing organisations"))
    def provider_names(self, obj: Service) -> str:
        return "、".join(organisation.name for organisation in obj.providers.all()) or "—"


class RequestEventInline(ReadOnlyInline):
    """The request's history: written by the actions only."""

    model = RequestEvent
    fields = ("created_at", "kind", "by_whom", "note")
    select_related = ("by",)

    def has_view_permission(self, request, obj=None) -> bool:
        # The history goes with the request: whoever may see the request sees its steps.
        return request.user.has_perm("services.view_servicerequest")

    @admin.display(description=_("by"))
    def by_whom(self, event: RequestEvent) -> str:
        return account_label(event.by)


OverdueFilter = one_choice_filter(
    _("answer"), _("Overdue"), parameter="overdue", pick=lambda rows: rows.overdue()
)


REQUEST_TONES = {
    "requested": "waiting",
    "dispatched": "waiting",
    "accepted": "active",
    "declined": "refused",
    "completed": "done",
    "withdrawn": "refused",
}


class DispatchForm(forms.Form):
    """派单: one of the active organisations that provide the request's service."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Dispatch to")
    )

    def __init__(self, data=None, *, obj: ServiceRequest, **kwargs):
        super().__init__(data, **kwargs)
        providers = cast("forms.ModelChoiceField", self.fields["organisation"])
        providers.queryset = obj.service.providers.filter(is_active=True)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ObjectStepsMixin, ScopedObjectMixin, admin.ModelAdmin):
    """Staff add requests taken by telephone or at the counter and dispatch them from the
    request's admin page; the organisation's steps (accept, decline, complete) and the rating
    are taken on the request's public page."""

    object_steps = (
        ObjectStep(
            "dispatch",
            _("Dispatch"),
            applies=lambda row: (
                row.status in (ServiceRequest.Status.REQUESTED, ServiceRequest.Status.DECLINED)
            ),
            allowed=lambda modeladmin, request, row: sees_every_organisation(request.user),
            act=lambda row, user, organisation: actions.dispatch_request(
                request=row, organisation=organisation, by=user
            ),
            done=_("The request was dispatched; the organisation is told."),
            form=DispatchForm,
        ),
    )

    list_display = (
        "pk",
        "service_title",
        "requester_short",
        status_column(REQUEST_TONES),
        "organisation_name",
        "created_at",
        "rating",
        "overdue_flagged_at",
    )
    list_filter = (
        OverdueFilter,
        "status",
        "service__category",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("service", "requester", "organisation")
    list_display_links = ("pk", "service_title")
    search_fields = ("service__title", "details", "organisation__name")
    autocomplete_fields = ("service", "requester", "enterprise")
    lifecycle_fields = (
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

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("service", "requester", "enterprise", "details")
        # Who asked for what is fixed once the request exists; the requester is masked.
        return (
            "service",
            "requester_name",
            "enterprise",
            "details",
            "steps_page",
            *self.lifecycle_fields,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("service", "requester_name", "enterprise", "steps_page", *self.lifecycle_fields)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A duplicate or a prank is deleted before it is dispatched (or once withdrawn); after
        # that an organisation has it, and answers and ratings count in the ranking.
        if obj is not None and obj.status not in (
            ServiceRequest.Status.REQUESTED,
            ServiceRequest.Status.WITHDRAWN,
        ):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            kwargs["queryset"] = Service.objects.active()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The portal's use case, so the request is logged and centre staff are told.
        created = actions.request_service(
            service=obj.service,
            requester=obj.requester,
            details=obj.details,
            enterprise=obj.enterprise,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description=_("requested by"), ordering="requester")
    def requester_name(self, obj: ServiceRequest) -> str:
        return account_label(obj.requester)

    @admin.display(description=_("requested by"), ordering="requester")
    def requester_short(self, obj: ServiceRequest):
        return truncated(account_label(obj.requester))

    @admin.display(description=_("service"), ordering="service__title")
    def service_title(self, obj: ServiceRequest):
        return truncated(obj.service.title, wide=True)

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_name(self, obj: ServiceRequest):
        return truncated(obj.organisation.name if obj.organisation else "")

    @admin.display(description=_("next step"))
    def steps_page(self, obj: ServiceRequest) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("services:request_detail", args=[obj.pk]),
            _("Dispatch, answer or complete it on the request's page"),
        )

    @admin.action(
        description=_("Flag overdue requests now (all, not only the selected)"),
        permissions=["change"],
    )
    def flag_overdue(self, request, queryset):
        count = actions.flag_overdue_requests()
        self.message_user(
            request,
            ngettext("%(count)d request flagged.", "%(count)d requests flagged.", count)
            % {"count": count},
        )


class RecordPhotoInline(PhotoInline):
    """The record's photos as taken on the record page."""

    model = RecordPhoto
    fields = ("preview", "caption")


@admin.register(ServiceRecord)
class ServiceRecordAdmin(PhotoColumnMixin, SheetAdmin):
    """Records are exported to Excel (xlsx or csv) by staff who may view them, and the
    centre's history kept in Excel is imported (preview first, every row or none), matched
    by the record number; see services.sheets.ServiceRecordResource for the sheet's rules."""

    resource_classes = [ServiceRecordResource]
    import_template_name = "admin/services/record_import.html"
    list_display = (
        "photo",
        "delivered_on",
        "service",
        "organisation",
        "duty_week",
        "people_served",
        "request",
        "recorder",
    )
    list_display_links = ("photo", "delivered_on")
    list_filter = (
        "service__category",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "delivered_on",
    )
    list_select_related = (
        "service",
        "organisation",
        "duty_week__organisation",
        "request__service",
        "recorded_by",
    )
    search_fields = ("service__title", "organisation__name", "notes")
    autocomplete_fields = ("service", "organisation")
    raw_id_fields = ("request",)
    readonly_fields = ("duty_week", "request", "recorder", "created_at", "updated_at")
    fields = (
        "service",
        "organisation",
        "delivered_on",
        "people_served",
        "notes",
        "duty_week",
        "request",
        "recorder",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "delivered_on"
    inlines = [RecordPhotoInline]

    def has_import_permission(self, request) -> bool:
        # Centre staff only: alliance contacts record their own services on the portal's form.
        return request.user.has_perm("services.add_servicerecord") and request.user.has_perm(
            "services.change_servicerecord"
        )

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("services.view_servicerecord")

    def delete_model(self, request, obj):
        self.delete_queryset(request, ServiceRecord.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # A record takes its photos along: their files go too, once the deletion commits.
        remove_files_after_commit(
            RecordPhoto.objects.filter(record__in=queryset), using=queryset.db
        )
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        # The duty week follows the date, as in services.actions.record_service.
        obj.duty_week = actions.duty_week_for(obj.delivered_on)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("recorded by"), ordering="recorded_by")
    def recorder(self, obj: ServiceRecord) -> str:
        return account_label(obj.recorded_by)


class SignUpInline(ReadOnlyInline):
    model = SignUp
    fields = ("member", "status", "created_at", "promoted_at", "cancelled_at")
    select_related = ("member",)


@admin.register(Activity)
class ActivityAdmin(ScopedObjectMixin, admin.ModelAdmin):
    """Centre staff and the organising alliance contact keep an activity; the points per
    attendee are the centre's decision (contacts see them, read-only)."""

    list_display = (
        "title",
        "category",
        "organisation",
        "starts_at",
        "venue",
        "places",
        "waiting",
        "points",
        "is_published",
        "desk",
    )
    list_filter = ("category", "is_published", ("organisation", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("category", "organisation")
    search_fields = ("title", "description", "venue", "monthly_theme__title")
    # Categories (six) and monthly themes (twelve a year) are short lists: plain selects, which
    # also work for contacts, who may not open those admins' autocomplete look-ups.
    autocomplete_fields = ("organisation",)
    readonly_fields = ("desk", "created_at", "updated_at")
    date_hierarchy = "starts_at"
    inlines = [SignUpInline]
    actions = ["fill_places"]

    def get_queryset(self, request):
        # Alliance contacts: their organisations' activities; others' ids are 404.
        return super().get_queryset(request).managed_by(request.user).with_counts()

    def get_readonly_fields(self, request, obj=None):
        if sees_every_organisation(request.user):
            return self.readonly_fields
        return (*self.readonly_fields, "points")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not sees_every_organisation(request.user):
            kwargs["queryset"] = Organisation.objects.for_contact(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if (
            request.method == "POST"
            and request.POST.get("organisation")
            and not sees_every_organisation(request.user)
        ):
            # The form offers only one's own organisations: another's id was edited in.
            # Checked before the admin's transaction, so the audit record stays.
            get_in_scope_or_404(
                Organisation.objects.for_contact(request.user),
                request=request,
                pk=request.POST["organisation"],
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("confirmed / capacity"))
    def places(self, obj: WithAnnotations[Activity, _PlaceCounts]) -> str:
        return f"{obj.confirmed_count} / {obj.capacity}"

    @admin.display(description=_("waiting list"), ordering="waiting_count")
    def waiting(self, obj: WithAnnotations[Activity, _PlaceCounts]) -> int:
        return obj.waiting_count

    @admin.display(description=_("check-in desk"))
    def desk(self, obj: Activity) -> str:
        # The organiser's QR code and list to tick are on the portal, not in the admin.
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("services:activity_desk", args=[obj.pk]),
            _("open the desk"),
        )

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

    @admin.action(description=_("Fill free places from the waiting list"), permissions=["change"])
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


class ActivityRowsAdmin(ScopedObjectMixin, SheetExportMixin, ReadOnlyAdmin):
    """Rows of activities (sign-ups, attendance), filtered by the activity's category and
    organiser; alliance contacts see those of their organisations' activities. Exported
    (xlsx/csv) for the desk and the centre's Excel."""

    formats = [base_formats.XLSX, base_formats.CSV]
    search_fields = ("member__name", "activity__title")
    activity_filters = (
        "activity__category",
        ("activity__organisation", admin.RelatedOnlyFieldListFilter),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).managed_by(request.user)


@admin.register(SignUp)
class SignUpAdmin(ActivityRowsAdmin):
    """Sign-ups change only through the actions, which keep places and the waiting list
    right: members sign up on the portal (capacity is checked there); nobody adds, edits or
    deletes one here (a deleted place would not move the waiting list up); centre staff cancel
    with the action. Whoever sees a sign-up list may export it to print for the desk.
    """

    resource_classes = [SignUpResource]
    list_display = (
        "member",
        "activity",
        "organiser",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
    )
    list_filter = ("status", *ActivityRowsAdmin.activity_filters)
    list_select_related = ("member", "activity__organisation")
    fields = (
        "activity",
        "member",
        "status",
        "created_at",
        "updated_at",
        "promoted_at",
        "cancelled_at",
    )
    date_hierarchy = "created_at"
    actions = ["cancel_signups"]

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("services.change_signup")

    @admin.display(description=_("organised by"), ordering="activity__organisation__name")
    def organiser(self, obj: SignUp) -> str:
        return obj.activity.organisation.name

    cancel_signups = row_action(
        lambda signup, user: actions.cancel_sign_up(signup=signup, by=user),
        ngettext_lazy("%(count)d sign-up cancelled.", "%(count)d sign-ups cancelled.", "count"),
        description=_("Cancel the selected sign-ups (the waiting list moves up)"),
        permissions=["cancel"],
        rows=lambda signups: signups.select_related("activity", "member"),
    )


@admin.register(Attendance)
class AttendanceAdmin(ActivityRowsAdmin):
    """Attendance is evidence for awarded points: read-only, written by check-in only.
    Exported for the volunteer hours the centre keeps in Excel."""

    resource_classes = [AttendanceResource]
    list_display = (
        "member",
        "activity",
        "method",
        "checked_in_at",
        "ticked_by",
        "points_awarded",
    )
    list_filter = ("method", *ActivityRowsAdmin.activity_filters)
    list_select_related = ("member", "activity", "checked_in_by")
    fields = ("activity", "member", "method", "checked_in_at", "ticked_by", "points_awarded")
    date_hierarchy = "checked_in_at"

    @admin.display(description=_("ticked by"), ordering="checked_in_by")
    def ticked_by(self, obj: Attendance) -> str:
        return account_label(obj.checked_in_by) if obj.checked_in_by_id else "—"
