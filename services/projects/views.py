"""Public pages of the projects app: thin views that parse, call one action, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members import page_cache
from members.http import AuthenticatedRequest
from members.queries import branch_mates, member_on_roll
from members.steps import run_step
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


def _step(request: HttpRequest, pk: int, form, step, done: str) -> HttpResponse:
    """Run one step on a project; explain refusals in a message; back to the project."""
    project = get_object_or_404(Project, pk=pk)
    return run_step(
        request,
        form,
        lambda data: step(project, data),
        done,
        back=reverse("projects:project_detail", args=[pk]),
    )


@login_required
@require_POST
def project_claim(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = member_on_roll(request.user)
    if member is None:
        messages.error(request, _("Only party members with a member record may claim a project."))
        return redirect("projects:project_detail", pk=pk)
    return _step(
        request,
        pk,
        forms.ClaimForm(request.POST, teammates=branch_mates(member)),
        lambda project, data: actions.claim_project(
            project=project, member=member, pledge=data["pledge"], team=data.get("team", ())
        ),
        _("You claimed the project. Your pledge is shown on its page."),
    )


@login_required
@require_POST
def project_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.ReportForm(request.POST, request.FILES),
        lambda project, data: actions.report_progress(
            project=project, by=request.user, text=data["text"], photos=data["photos"]
        ),
        _("Your progress report is on the project's page."),
    )


@login_required
@require_POST
def project_rate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        forms.RateForm(request.POST),
        lambda project, data: actions.rate_project(
            project=project, by=request.user, score=data["score"], reason=data["reason"]
        ),
        _("Thank you: your rating is on the project's page."),
    )
