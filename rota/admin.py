"""Staff admin of the alliance: organisations, the covenant calendar, swaps, reports, outbox."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from members.admin_base import (
    NoAddMixin,
    ObjectStep,
    ObjectStepsMixin,
    OwnPagesMixin,
    PhotoColumnMixin,
    PhotoInline,
    ReadOnlyMixin,
    ScopedObjectMixin,
    SheetExportMixin,
    SheetImportMixin,
    admin_page,
    form_page,
    one_choice_filter,
    row_action,
    status_column,
)
from members.masking import account_label
from rota import actions
from rota.forms import GenerateRotaForm
from rota.models import (
    Blackout,
    DutyReport,
    DutyReportPhoto,
    DutyWeek,
    ExchangeMeeting,
    MeetingAttendance,
    MonthlyTheme,
    Organisation,
    SwapRequest,
    manages_rota,
)
from rota.sheets import DutyWeekResource, OrganisationResource


class ContactScopedAdmin(ScopedObjectMixin, admin.ModelAdmin):
    """Centre staff see every row; an alliance contact with admin access sees only rows of
    the organisations they are duty or backup contact of (others' ids are 404, and recorded)."""

    def has_manage_permission(self, request) -> bool:
        """Centre staff: approve swaps, mark weeks missed, resend deliveries."""
        return manages_rota(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.has_manage_permission(request):
            return queryset
        # The model's own scope rule, the one the contacts' pages use too.
        return queryset.for_contact(request.user)


class BlackoutInline(admin.TabularInline):
    model = Blackout
    extra = 0


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        # What staff edit here is what the organisation sheet imports: one list for both.
        fields = OrganisationResource.Meta.fields

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Organisation.objects.filter(name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("An organisation with this name already exists."), code="duplicate"
            )
        return name


def _contact_or_manager(modeladmin, request, organisation: Organisation) -> bool:
    return organisation.has_contact(request.user) or manages_rota(request.user)


@admin.register(Organisation)
class OrganisationAdmin(SheetImportMixin, ObjectStepsMixin, ContactScopedAdmin):
    """The alliance members; staff import and export them as a spreadsheet (rota.sheets),
    with a preview first and every row or none. An organisation's page shows its secret
    calendar URL, which its contacts (and centre staff) renew there."""

    object_steps = (
        ObjectStep(
            "renew_feed",
            _("New secret calendar URL (the old one stops working)"),
            applies=lambda organisation: True,
            allowed=_contact_or_manager,
            act=lambda organisation, user: actions.rotate_feed_token(organisation=organisation),
            done=_("New calendar URLs issued."),
        ),
    )

    resource_classes = [OrganisationResource]
    import_template_name = "admin/rota/organisation/import.html"
    form = OrganisationForm
    list_display = ("name", "short_name", "kind", "contact", "backup", "is_active", "joined_on")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    list_select_related = ("duty_contact", "backup_contact")
    autocomplete_fields = ("duty_contact", "backup_contact")
    readonly_fields = ("feed_url",)
    inlines = [BlackoutInline]
    actions = ["rotate_feed", "revoke_feed"]

    def has_import_permission(self, request) -> bool:
        # An import adds and changes organisations and their contacts: the centre's work.
        return self.has_manage_permission(request) and request.user.has_perms(
            ["rota.add_organisation", "rota.change_organisation"]
        )

    @admin.display(description=_("duty contact"))
    def contact(self, obj: Organisation) -> str:
        return account_label(obj.duty_contact)

    @admin.display(description=_("backup contact"))
    def backup(self, obj: Organisation) -> str:
        return account_label(obj.backup_contact)

    @admin.display(description=_("secret calendar URL"))
    def feed_url(self, obj: Organisation):
        if not obj.feed_token:
            return _("none yet (the button above issues one)")
        url = reverse("rota:organisation_feed", args=[obj.feed_token])
        return format_html('<a href="{}">{}</a>', url, url)

    # Staff's door; a contact renews their own URL on their rota page (rota:feed_rotate).
    rotate_feed = row_action(
        lambda org, user: actions.rotate_feed_token(organisation=org),
        _("New calendar URLs issued."),
        description=_("New secret calendar URL (the old one stops working)"),
        permissions=["change"],
    )
    revoke_feed = row_action(
        lambda org, user: actions.revoke_feed_token(organisation=org),
        _("Calendar URLs revoked."),
        description=_("Revoke the secret calendar URL"),
        permissions=["change"],
    )


@admin.register(Blackout)
class BlackoutAdmin(ContactScopedAdmin):
    list_display = ("organisation", "starts_on", "ends_on", "reason")
    list_filter = ("organisation__kind", ("starts_on", admin.DateFieldListFilter))
    search_fields = ("organisation__name", "organisation__short_name", "reason")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    date_hierarchy = "starts_on"


ReportMissingFilter = one_choice_filter(
    _("duty report"),
    _("Report missing"),
    parameter="report",
    choice="missing",
    pick=lambda weeks: weeks.ended_without_report(timezone.localdate()),
)
UnacknowledgedFilter = one_choice_filter(
    _("acknowledgement"),
    _("Not acknowledged, starting within 7 days"),
    parameter="unacknowledged",
    pick=lambda weeks: weeks.unacknowledged(timezone.localdate()),
)


WEEK_TONES = {"planned": "waiting", "confirmed": "active", "done": "done", "missed": "refused"}


@admin.register(DutyWeek)
class DutyWeekAdmin(SheetExportMixin, OwnPagesMixin, ContactScopedAdmin):
    own_pages = (
        ("generate/", "generate_view", "generate"),
        ("<id:object_id>/reassign/", "reassign_view", "reassign"),
    )
    resource_classes = [DutyWeekResource]
    list_display = (
        "week_start",
        "organisation",
        status_column(WEEK_TONES),
        "acknowledged_at",
        "report_filed",
    )
    list_filter = (
        "status",
        UnacknowledgedFilter,
        ReportMissingFilter,
        "organisation__kind",
        ("week_start", admin.DateFieldListFilter),
    )
    search_fields = ("organisation__name", "organisation__short_name")
    list_select_related = ("organisation", "report")
    autocomplete_fields = ("organisation",)
    date_hierarchy = "week_start"
    # Status changes only through the actions (acknowledge, report, mark missed).
    readonly_fields = (
        "status",
        "acknowledged_at",
        "acknowledged_by",
        "planned_organisation",
        "created_at",
        "updated_at",
    )
    actions = ["mark_missed"]
    change_list_template = "admin/rota/dutyweek/change_list.html"
    change_form_template = "admin/rota/dutyweek/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Handing a week to another organisation resets its acknowledgement and reminders:
        # that is `reassign_duty_week`, behind the "Reassign" button, never a plain edit.
        return (*fields, "organisation") if obj is not None else fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        week = self.get_object(request, object_id)
        today = timezone.localdate()
        open_week = week is not None and week.status in (
            DutyWeek.Status.PLANNED,
            DutyWeek.Status.CONFIRMED,
        )
        extra_context = {
            **(extra_context or {}),
            "can_reassign": open_week
            and week.week_end >= today
            and self.has_manage_permission(request),
            "can_file_report": open_week
            and week.week_start <= today
            and not hasattr(week, "report")
            and self.has_manage_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("report"), boolean=True)
    def report_filed(self, obj: DutyWeek) -> bool:
        return hasattr(obj, "report")

    mark_missed = row_action(
        lambda week, user: actions.mark_missed(duty_week=week, by=user),
        _("%(count)s week(s) marked missed."),
        description=_("Mark as missed"),
        permissions=["manage"],
    )

    def generate_view(self, request):
        """Generate the rota for a range (the admin door of `generate_rota`)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerateRotaForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            try:
                result = actions.generate_rota(**form.cleaned_data, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)s duty week planned.",
                        "%(count)s duty weeks planned.",
                        len(result.created),
                    )
                    % {"count": len(result.created)},
                )
        return admin_page(
            self,
            request,
            "admin/rota/dutyweek/generate.html",
            form=form,
            result=result,
            title=_("Generate the duty rota"),
        )

    def reassign_view(self, request, object_id):
        """Hand the week to another organisation (the admin door of `reassign_duty_week`)."""
        week = self.get_object(request, object_id)  # 404, recorded, outside the user's scope
        if not self.has_manage_permission(request):
            raise PermissionDenied
        previous = week.organisation_id

        def reassign(data: dict) -> DutyWeek:
            held = actions.reassign_duty_week(
                week=week, organisation=data["organisation"], by=request.user
            )
            if held.organisation_id != previous:
                # The object's history page shows the change too (field label as Django
                # writes it for a form edit).
                label = str(DutyWeek._meta.get_field("organisation").verbose_name)
                self.log_change(request, held, [{"changed": {"fields": [label]}}])
            return held

        return form_page(
            self,
            request,
            "admin/rota/dutyweek/reassign.html",
            form=ReassignDutyWeekForm(request.POST or None, week=week),
            act=reassign,
            done=lambda held: (
                _("The week of %(date)s is now held by %(organisation)s.")
                % {
                    "date": date_format(held.week_start, "DATE_FORMAT"),
                    "organisation": held.organisation.name,
                }
            ),
            obj=week,
            original=week,
            title=_("Reassign the duty week"),
        )


class OrganisationNameField(forms.ModelChoiceField):
    """An organisation, shown by its full name (not the short name its `str` gives)."""

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ReassignDutyWeekForm(forms.Form):
    organisation = OrganisationNameField(
        label=_("New organisation on duty"),
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the listed organisations.")},
    )

    def __init__(self, *args, week: DutyWeek, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = Organisation.objects.active().exclude(pk=week.organisation_id)


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(admin.ModelAdmin):
    list_display = ("month", "title")
    list_filter = (("month", admin.DateFieldListFilter),)
    search_fields = ("title", "description")
    list_select_related = ()


@admin.register(ExchangeMeeting)
class ExchangeMeetingAdmin(admin.ModelAdmin):
    list_display = ("year", "quarter", "held_on", "venue", "host", "attendance")
    list_filter = ("year", "quarter")
    search_fields = ("venue", "host__name", "host__short_name", "minutes")
    list_select_related = ("host",)
    autocomplete_fields = ("host",)
    date_hierarchy = "held_on"

    # The yearly ranking counts a meeting for its host and those who attended, in the year
    # it is held: a meeting added, moved or deleted (with its attendance rows) renews the
    # attendance stamp through rota.actions, so the cached ranking is not left stale.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        actions.exchange_meeting_changed(meeting=obj)

    def delete_model(self, request, obj):
        actions.delete_exchange_meetings(meetings=ExchangeMeeting.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        actions.delete_exchange_meetings(meetings=queryset)


SWAP_TONES = {
    "requested": "waiting",
    "accepted": "waiting",
    "approved": "done",
    "declined": "refused",
    "rejected": "refused",
    "cancelled": "refused",
}


def _asked_contact(modeladmin, request, swap: SwapRequest) -> bool:
    return swap.to_organisation.has_contact(request.user)


def _rota_manager(modeladmin, request, swap: SwapRequest) -> bool:
    return manages_rota(request.user)


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyMixin, ObjectStepsMixin, ContactScopedAdmin):
    """History of swap requests: contacts ask on their page (the rules live in
    actions.request_swap) and the requests change only through the actions, never by hand:
    the asked organisation's contact accepts or declines, then centre staff approve or reject,
    on the request's own page or with the list's bulk actions."""

    object_steps = (
        ObjectStep(
            "accept",
            pgettext_lazy("swap", "Accept"),
            applies=lambda swap: swap.status == SwapRequest.Status.REQUESTED,
            allowed=_asked_contact,
            act=lambda swap, user: actions.accept_swap(swap=swap, by=user),
            done=_("Swap accepted; centre staff will decide."),
        ),
        ObjectStep(
            "decline",
            pgettext_lazy("swap", "Decline"),
            applies=lambda swap: swap.status == SwapRequest.Status.REQUESTED,
            allowed=_asked_contact,
            act=lambda swap, user: actions.decline_swap(swap=swap, by=user),
            done=_("Swap declined."),
            refuses=True,
        ),
        ObjectStep(
            "approve",
            _("Approve the swap"),
            applies=lambda swap: swap.status == SwapRequest.Status.ACCEPTED,
            allowed=_rota_manager,
            act=lambda swap, user: actions.approve_swap(swap=swap, by=user),
            done=_("Swap approved: the two weeks changed hands."),
        ),
        ObjectStep(
            "reject",
            _("Reject the swap"),
            applies=lambda swap: swap.status in SwapRequest.OPEN_STATUSES,
            allowed=_rota_manager,
            act=lambda swap, user: actions.reject_swap(swap=swap, by=user),
            done=_("Swap rejected."),
            refuses=True,
        ),
    )

    list_display = (
        "created_at",
        "from_organisation",
        "from_week",
        "to_organisation",
        "to_week",
        status_column(SWAP_TONES),
    )
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "from_organisation__name",
        "from_organisation__short_name",
        "to_organisation__name",
        "to_organisation__short_name",
        "reason",
    )
    list_select_related = (
        "from_organisation",
        "to_organisation",
        "from_week__organisation",
        "to_week__organisation",
    )
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]

    approve = row_action(
        lambda swap, user: actions.approve_swap(swap=swap, by=user),
        _("%(count)s swap(s) approved."),
        description=_("Approve the selected swaps"),
        permissions=["manage"],
    )
    reject = row_action(
        lambda swap, user: actions.reject_swap(swap=swap, by=user),
        _("%(count)s swap(s) rejected."),
        description=_("Reject the selected swaps"),
        permissions=["manage"],
    )


class DutyReportPhotoInline(PhotoInline):
    """The report's photos as filed on the report page."""

    model = DutyReportPhoto


@admin.register(DutyReport)
class DutyReportAdmin(NoAddMixin, PhotoColumnMixin, ContactScopedAdmin):
    """Reports are filed on the contact's page (`file_duty_report` also closes the week); here
    their text and figures can be corrected, but the week and the filer stay as filed."""

    list_display = ("photo", "duty_week", "services_delivered", "participants", "filed_at")
    list_display_links = ("photo", "duty_week")
    list_filter = (("filed_at", admin.DateFieldListFilter), "duty_week__organisation__kind")
    search_fields = (
        "duty_week__organisation__name",
        "duty_week__organisation__short_name",
        "summary",
    )
    list_select_related = ("duty_week__organisation",)
    date_hierarchy = "filed_at"
    fields = ("duty_week", "summary", "services_delivered", "participants", "filer", "filed_at")
    readonly_fields = ("duty_week", "filer", "filed_at")
    inlines = [DutyReportPhotoInline]

    @admin.display(description=_("filed by"))
    def filer(self, obj: DutyReport) -> str:
        return account_label(obj.filed_by)

    def has_delete_permission(self, request, obj=None):
        # The week would stay done without a report; a wrong report is corrected instead.
        return False


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(admin.ModelAdmin):
    """Which organisations attended each exchange meeting (counts in the yearly ranking).

    Rows are recorded and deleted through `rota.actions`, never edited: a mistaken row is
    deleted and recorded again.
    """

    list_display = ("meeting", "held_on", "organisation", "organisation_kind", "recorder")
    list_filter = ("meeting__year", "meeting__quarter", "organisation__kind")
    search_fields = ("organisation__name", "organisation__short_name", "meeting__venue")
    list_select_related = ("meeting", "organisation", "recorded_by")
    autocomplete_fields = ("meeting", "organisation")
    readonly_fields = ("recorded_by", "recorded_at")

    @admin.display(description=_("meeting date"), ordering="meeting__held_on")
    def held_on(self, obj: MeetingAttendance):
        return obj.meeting.held_on

    @admin.display(description=_("organisation type"), ordering="organisation__kind")
    def organisation_kind(self, obj: MeetingAttendance) -> str:
        return obj.organisation.get_kind_display()

    @admin.display(description=_("recorded by"), ordering="recorded_by")
    def recorder(self, obj: MeetingAttendance) -> str:
        return account_label(obj.recorded_by)

    def has_change_permission(self, request, obj=None):
        return False  # a mistaken row is deleted and recorded again

    def save_model(self, request, obj, form, change):
        # The form already checked the meeting took place (MeetingAttendance.clean).
        (row,) = actions.record_meeting_attendance(
            meeting=obj.meeting, organisations=[obj.organisation], by=request.user
        )
        obj.pk, obj.recorded_at, obj.recorded_by = row.pk, row.recorded_at, row.recorded_by

    def delete_model(self, request, obj):
        actions.delete_meeting_attendance(attendances=MeetingAttendance.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        actions.delete_meeting_attendance(attendances=queryset)
