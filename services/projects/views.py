"""Public pages of the projects app: thin views that parse, call one action, redirect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db.models import Avg, Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import page_cache
from members.queries import branch_mates, member_on_roll
from members.steps import StepView
from services.projects import actions, forms
from services.projects.models import (
    ExpertPair,
    LeaderComment,
    PioneerPost,
    ProgressReport,
    Project,
    Rating,
    TeamMember,
)

if TYPE_CHECKING:
    from members.models import Member

Status = Project.Status
# The list's sections, in the order a visitor reads them: what can be claimed first.
SECTIONS = (
    ("open", Status.OPEN.label, (Status.OPEN,)),
    ("under-way", Status.IN_PROGRESS.label, (Status.CLAIMED, Status.IN_PROGRESS)),
    ("rating", Status.RATING.label, (Status.RATING,)),
    ("finished", gettext_lazy("Completed and commended"), (Status.COMMENDED, Status.COMPLETED)),
)
# Cards per section unless `?all=<section>`: at county scale 300 projects made a 121 KB page
# rendered in about 220 ms.
SECTION_SHOWN = 12
_TEAM = Prefetch("team", queryset=TeamMember.objects.select_related("member"))


@page_cache.anonymous_page()
def project_list(request: HttpRequest) -> HttpResponse:
    """Every project by status, the pioneer posts and the expert studio: anyone may read."""
    projects = list(
        Project.objects.select_related("branch")
        .prefetch_related(_TEAM)
        .annotate(rating_count=Count("ratings"), rating_average=Avg("ratings__score"))
    )
    whole = request.GET.get("all")
    sections = []
    for key, title, keep in SECTIONS:
        rows = [p for p in projects if p.status in keep]
        shown = rows if key == whole else rows[:SECTION_SHOWN]
        sections.append(
            {
                "key": key,
                "title": title,
                "projects": rows,
                "shown": shown,
                "hidden": len(rows) - len(shown),
            }
        )
    return render(
        request,
        "projects/project_list.html",
        {
            "page_title": _("Member projects"),
            "sections": sections,
            "posts": PioneerPost.objects.select_related("member")[:30],
            "pairs": ExpertPair.objects.select_related("expert", "mentee").annotate(
                meeting_count=Count("meetings")
            ),
        },
    )


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's pledge, team, timeline of progress and comments, and its public rating."""
    project = get_object_or_404(
        Project.objects.select_related("branch").prefetch_related(
            _TEAM,
            Prefetch("reports", queryset=ProgressReport.objects.prefetch_related("photos")),
            Prefetch("comments", queryset=LeaderComment.objects.all()),
            Prefetch("ratings", queryset=Rating.objects.all()),
        ),
        pk=pk,
    )
    user = request.user
    member = member_on_roll(user)
    on_team = member is not None and any(t.member_id == member.pk for t in project.team.all())
    ratings = list(project.ratings.all())
    rated = user.is_authenticated and any(r.user_id == user.pk for r in ratings)
    timeline = sorted(
        [("report", r.created_at, r) for r in project.reports.all()]
        + [("comment", c.created_at, c) for c in project.comments.all()],
        key=lambda item: item[1],
    )
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "page_title": project.title,
            "timeline": timeline,
            "ratings": ratings,
            "rating_average": (sum(r.score for r in ratings) / len(ratings)) if ratings else None,
            "can_claim": member is not None and project.status == Status.OPEN,
            "can_report": on_team and project.status in actions.UNDER_WAY,
            "can_rate": (
                user.is_authenticated
                and not on_team
                and not rated
                and project.status == Status.RATING
            ),
            "rated": rated,
            "claim_form": forms.ClaimForm(teammates=branch_mates(member))
            if member is not None and project.status == Status.OPEN
            else None,
            "report_form": forms.ReportForm(),
            "rate_form": forms.RateForm(),
        },
    )


class ProjectStep(StepView):
    """A step on a project; refusals explained in a message; back to the project."""

    object_argument = "project"

    def get_object(self) -> Project:
        return get_object_or_404(Project, pk=self.kwargs["pk"])

    def back(self, obj: Project) -> str:
        return reverse("projects:project_detail", args=[obj.pk])


class ProjectClaim(ProjectStep):
    member: Member  # who claims: only a member on the roll may
    done = gettext_lazy("You claimed the project. Your pledge is shown on its page.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = member_on_roll(self.request.user)
        if member is None:
            messages.error(
                request, _("Only party members with a member record may claim a project.")
            )
            return redirect("projects:project_detail", pk=self.kwargs["pk"])
        self.member = member
        return super().post(request, *args, **kwargs)

    def get_form(self, obj: Project) -> forms.ClaimForm:
        return forms.ClaimForm(self.request.POST, teammates=branch_mates(self.member))

    def act(self, obj: Project, data: dict[str, Any]) -> object:
        return actions.claim_project(
            project=obj, member=self.member, pledge=data["pledge"], team=data.get("team", ())
        )


class ProjectReport(ProjectStep):
    form_class = forms.ReportForm
    action = actions.report_progress
    done = gettext_lazy("Your progress report is on the project's page.")


class ProjectRate(ProjectStep):
    form_class = forms.RateForm
    action = actions.rate_project
    done = gettext_lazy("Thank you: your rating is on the project's page.")
