"""Read-only look-ups other apps and the cross-app pages use (deqing_hub imports only this)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest

from members.models import Member
from services.projects.models import Project, TeamMember


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
