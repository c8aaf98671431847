"""The projects admin: centre staff run every branch's projects, a secretary their branch's.

Statuses move only through `services.projects.actions` (set, comment, open the rating,
complete, commend); the claim, the reports and the ratings come from the public pages.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.admin_base import (
    NoAddAdmin,
    OwnPagesMixin,
    PhotoInline,
    ReadOnlyInline,
    SheetExportMixin,
    SheetImportMixin,
    VisibleRowsMixin,
    apply_to_each,
    form_page,
    row_action,
)
from members.models import Branch
from members.querysets import sees_every_branch
from members.text import CleanCharFormField
from services.projects import actions
from services.projects.models import (
    ExpertPair,
    LeaderComment,
    Meeting,
    PioneerPost,
    ProgressReport,
    Project,
    Rating,
    ReportPhoto,
    TeamMember,
)
from services.projects.sheets import (
    PioneerPostResource,
    ProjectImportResource,
    ProjectResource,
)

# How long the public rating stays open when staff open it from the list.
RATING_DAYS = 14


class TeamInline(ReadOnlyInline):
    model = TeamMember
    fields = ("member", "is_leader")
    select_related = ("member",)


class ReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = ("created_at", "text", "reported_by")
    select_related = ("reported_by",)


class CommentInline(ReadOnlyInline):
    model = LeaderComment
    fields = ("created_at", "author_name", "text")


class CommendForm(forms.Form):
    citation = CleanCharFormField(
        label=_("Why it is commended"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


@admin.register(Project)
class ProjectAdmin(OwnPagesMixin, VisibleRowsMixin, SheetImportMixin, admin.ModelAdmin):
    own_pages = (("<int:pk>/commend/", "commend_view", "commend"),)
    resource_classes = [ProjectResource]
    list_display = ("title", "branch", "status", "deadline", "claimed_at", "completed_at")
    list_filter = ("status", ("branch", admin.RelatedOnlyFieldListFilter), "deadline")
    search_fields = ("title", "goal", "pledge")
    list_select_related = ("branch",)
    # The project as set (editable) and its lifecycle, which only the actions move.
    readonly_fields = (
        "status",
        "pledge",
        "claimed_at",
        "rating_opens_at",
        "rating_closes_at",
        "completed_at",
        "commended_at",
        "citation",
    )
    fields = ("title", "goal", "outcome", "deadline", "branch", *readonly_fields)
    inlines = [TeamInline, ReportInline, CommentInline]
    actions = ["open_rating", "complete", "commend"]

    def get_readonly_fields(self, request, obj=None):
        # Once claimed, the project is what the member pledged to: it is no longer edited.
        if obj is not None and obj.status != Project.Status.OPEN:
            return self.fields
        return self.readonly_fields

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("projects.view_project")

    # Exported: the whole project with its lifecycle; imported: only what setting one asks.
    def get_import_resource_classes(self, request):
        return [ProjectImportResource]

    def has_import_permission(self, request) -> bool:
        # Whoever may set a project one by one may set several from a sheet (centre staff,
        # branch secretaries); the rows' branches are checked against the importer's own.
        return request.user.has_perm("projects.add_project")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "branch":
            kwargs["queryset"] = Branch.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = actions.set_project(
                title=obj.title,
                goal=obj.goal,
                outcome=obj.outcome,
                deadline=obj.deadline,
                branch=obj.branch,
                by=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=_("Open the public rating (%(days)s days)") % {"days": RATING_DAYS})
    def open_rating(self, request, queryset):
        closes_at = timezone.now() + dt.timedelta(days=RATING_DAYS)
        apply_to_each(
            self,
            request,
            queryset,
            lambda p: actions.open_rating(project=p, by=request.user, closes_at=closes_at),
            _("Public rating opened for %(count)s projects."),
        )

    complete = row_action(
        lambda p, user: actions.complete_project(project=p, by=user),
        _("%(count)s projects completed."),
        description=_("Complete: close the rating and award the delivery points"),
    )

    @admin.action(description=_("Commend the selected project"))
    def commend(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Commend one project at a time."), messages.WARNING)
            return None
        return redirect("admin:projects_project_commend", queryset.get().pk)

    def commend_view(self, request, pk: int):
        """Centre staff write why a completed project is commended; its team earns points."""
        project = get_object_or_404(self.get_queryset(request), pk=pk)
        if not sees_every_branch(request.user):
            raise PermissionDenied
        return form_page(
            self,
            request,
            "admin/step_page.html",
            form=CommendForm(request.POST or None),
            act=lambda data: actions.commend_project(
                project=project, by=request.user, citation=data["citation"]
            ),
            done=_("The project was commended."),
            obj=project,
            title=_("Commend %(project)s") % {"project": project},
        )


class CommentForm(forms.ModelForm):
    class Meta:
        model = LeaderComment
        fields = ("project", "text")


@admin.register(LeaderComment)
class LeaderCommentAdmin(VisibleRowsMixin, admin.ModelAdmin):
    """领导点评 written here, through the action (which checks the branch and the status)."""

    form = CommentForm
    list_display = ("project", "author_name", "created_at")
    list_filter = (("project__branch", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("project__title", "text", "author_name")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)

    def has_change_permission(self, request, obj=None) -> bool:
        # A comment is published as written; a wrong one is deleted and written again.
        return False

    def save_model(self, request, obj, form, change):
        try:
            created = actions.comment_on_project(
                project=obj.project, by=request.user, text=obj.text
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = created.pk
        obj.refresh_from_db()


class ReportPhotoInline(PhotoInline):
    model = ReportPhoto


@admin.register(ProgressReport)
class ProgressReportAdmin(VisibleRowsMixin, NoAddAdmin):
    """Reports come from the team's page; staff read them and may take a photo down."""

    list_display = ("project", "created_at", "reported_by")
    list_filter = (("project__branch", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("project__title", "text")
    list_select_related = ("project", "reported_by")
    fields = ("project", "text", "reported_by", "created_at")
    readonly_fields = fields
    inlines = [ReportPhotoInline]


@admin.register(Rating)
class RatingAdmin(VisibleRowsMixin, NoAddAdmin):
    """The public's ratings: read here; staff may delete an abusive one."""

    list_display = ("project", "score", "created_at")
    list_filter = ("score", ("project__branch", admin.RelatedOnlyFieldListFilter))
    search_fields = ("project__title", "reason")
    list_select_related = ("project",)
    fields = ("project", "score", "reason", "created_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PioneerPost)
class PioneerPostAdmin(VisibleRowsMixin, SheetExportMixin, admin.ModelAdmin):
    resource_classes = [PioneerPostResource]
    list_display = ("member", "workplace", "starts_on", "ends_on")
    list_filter = (("member__branch", admin.RelatedOnlyFieldListFilter), "starts_on")
    search_fields = ("member__name", "workplace", "commitment")
    list_select_related = ("member",)
    autocomplete_fields = ("member",)

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("projects.view_pioneerpost")


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 1
    fields = ("met_on", "topic", "notes")


@admin.register(ExpertPair)
class ExpertPairAdmin(admin.ModelAdmin):
    list_display = ("expert", "mentee", "studio", "speciality", "started_on")
    list_filter = ("studio",)
    search_fields = ("expert__name", "mentee__name", "studio")
    list_select_related = ("expert", "mentee")
    autocomplete_fields = ("expert", "mentee")
    inlines = [MeetingInline]
