"""Read-only look-ups other apps and the cross-app pages use (deqing_hub imports only this)."""

from __future__ import annotations

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _

from members.models import Member
from services.projects.actions import PROJECT_COMMENDATION_POINTS, PROJECT_DELIVERY_POINTS
from services.projects.models import Project, TeamMember
from services.projects.querysets import FINISHED_STATUSES, UNDER_WAY_STATUSES


def me_panel_context(request: HttpRequest, member: Member | None) -> dict:
    """The /me/ panel (members.panels): the projects I lead or work on, latest first."""
    if member is None:
        return {"projects": []}
    projects = (
        Project.objects.for_member(member)
        .prefetch_related(Prefetch("team", queryset=TeamMember.objects.select_related("member")))
        .order_by("-claimed_at", "-pk")[:10]
    )
    return {"projects": list(projects)}


# The models whose rows the home dashboard counts or shows: saving or deleting one moves its
# cached figures on (members.figures_version, registered by deqing_hub at start-up).
DASHBOARD_MODELS = (Project,)


def project_figures() -> dict[str, int]:
    """The home page's figures: projects under way (claimed, delivering, in rating) and
    completed (commended or not). One query."""
    counts = Project.objects.aggregate(
        under_way=Count("pk", filter=Q(status__in=UNDER_WAY_STATUSES)),
        completed=Count("pk", filter=Q(status__in=FINISHED_STATUSES)),
    )
    return {"under_way": counts["under_way"], "completed": counts["completed"]}


def contest_rule() -> str:
    """The contest's published rule (履诺竞赛), in the active language, for the ranking page."""
    return _(
        "Every member of a project's team earns %(delivery)s points when the project is "
        "completed and %(commendation)s more when it is commended. Projects rank by "
        "commendation first, then by the public's average stars, then by the number of ratings."
    ) % {"delivery": PROJECT_DELIVERY_POINTS, "commendation": PROJECT_COMMENDATION_POINTS}


def project_contest(year: int | None = None) -> list[dict]:
    """The project contest's table: claimed projects (of `year`'s claims, if given), ranked by
    contest_rule(). Names are shown because a claim is a public pledge. One query: plain rows
    with the leader's name as a subquery (the yearly ranking page shows every claimed project
    of a county; team rows and model instances for each were most of that page's time)."""
    projects = Project.objects.exclude(status=Project.Status.OPEN)
    if year is not None:
        projects = projects.filter(claimed_at__year=year)
    leader = TeamMember.objects.filter(project=OuterRef("pk"), is_leader=True).values(
        "member__name"
    )[:1]
    rows = projects.annotate(
        rating_count=Count("ratings"),
        rating_average=Avg("ratings__score"),
        leader_name=Subquery(leader),
    ).values(
        "pk", "title", "status", "branch__name", "leader_name", "rating_count", "rating_average"
    )
    ranked = sorted(
        rows,
        key=lambda p: (
            p["status"] != Project.Status.COMMENDED,
            -(p["rating_average"] or 0),
            -p["rating_count"],
            p["pk"],
        ),
    )
    labels = dict(Project.Status.choices)
    return [
        {
            "rank": rank,
            "pk": p["pk"],
            "title": p["title"],
            "branch": p["branch__name"],
            "leader": p["leader_name"] or "",
            "status": labels[p["status"]],
            "commended": p["status"] == Project.Status.COMMENDED,
            "rating_average": round(p["rating_average"], 1) if p["rating_average"] else None,
            "rating_count": p["rating_count"],
        }
        for rank, p in enumerate(ranked, 1)
    ]
