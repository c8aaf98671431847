"""Spreadsheet exports of the projects app (formula-safe cells, headers a person reads)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from import_export import fields

from members.sheets.cells import ChoiceLabelField
from members.sheets.resources import ExportResource
from services.projects.models import PioneerPost, Project, TeamMember


class ProjectResource(ExportResource):
    status = ChoiceLabelField(attribute="status")
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
