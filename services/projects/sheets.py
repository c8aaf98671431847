"""Spreadsheets of the projects app: exports (formula-safe cells, headers a person reads) and the
import of the projects a branch or the centre sets for the year (确立项目), as the sheet toolkit's
every-row-or-none import."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields

from members.models import Branch
from members.sheets.cells import (
    Lookup,
    date_column,
    lookup_column,
    text_column,
)
from members.sheets.resources import ExportResource, SheetResource
from services.projects import actions
from services.projects.models import PioneerPost, Project, TeamMember

BRANCHES = Lookup(Branch.objects.all, ("name",), _("branch"))


class ProjectResource(ExportResource):
    team = fields.Field(column_name=_("team"))

    class Meta:
        model = Project
        fields = (
            "title",
            "branch__name",
            "status",
            "deadline",
            "team",
            "pledge",
            "claimed_at",
            "completed_at",
            "commended_at",
            "citation",
        )

    def dehydrate_team(self, project: Project) -> str:
        return "、".join(place.member.name for place in project.team.all())

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("branch").prefetch_related(
            Prefetch("team", queryset=TeamMember.objects.select_related("member"))
        )


class PioneerPostResource(ExportResource):
    class Meta:
        model = PioneerPost
        fields = ("member__name", "workplace", "commitment", "starts_on", "ends_on", "achievements")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("member")


class ProjectImportResource(SheetResource):
    """Projects set from a sheet, matched by branch and title: a new row sets a project (as
    `actions.set_project` would, with the importer as the one who set it), a row of a project
    still open to claims updates its words and deadline. The same rules as one by one: a
    secretary only for their own branch, no deadline already gone, and a claimed project is
    what its members pledged to, so the sheet cannot change it."""

    branch = lookup_column(
        "branch", "所属支部", BRANCHES, required=True, example="党群服务中心党支部"
    )
    title = text_column("title", "项目名称", example="德清跑步节应用")
    goal = text_column("goal", "项目目标", example="一个半月内上线跑步节报名与成绩查询应用。")
    outcome = text_column("outcome", "可衡量成果", example="应用上线，报名人数不少于 1000 人。")
    deadline = date_column("deadline", "完成期限", example="2027-06-30")

    class Meta:
        model = Project
        fields = ("branch", "title", "goal", "outcome", "deadline")
        import_id_fields = ("branch", "title")

    def required_columns(self) -> list[str]:
        return ["所属支部", "项目名称", "项目目标", "可衡量成果", "完成期限"]

    def check_row(self, instance, row, errors) -> None:
        if instance.branch_id and not actions.may_run(self.user, instance.branch):
            self.add_error(
                errors,
                "branch",
                gettext("You may set projects only for the branches you run."),
                code="forbidden",
            )
        if instance.pk is not None and instance.status != Project.Status.OPEN:
            self.add_error(
                errors,
                "title",
                gettext("This project has been claimed; the sheet cannot change it any more."),
                code="claimed",
            )
        if instance.deadline and instance.deadline < timezone.localdate():
            self.add_error(
                errors, "deadline", gettext("The deadline has already passed."), code="past"
            )

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.set_by = self.user
