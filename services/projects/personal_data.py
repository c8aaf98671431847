"""What projects puts in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from members.exports import exclude_from_export, register_export
from services.projects.models import (
    ExpertPair,
    PioneerPost,
    ProgressReport,
    Rating,
    TeamMember,
)


def register() -> None:
    register_export(
        TeamMember,
        person=["member"],
        fields="project__title project__status is_leader project__pledge project__claimed_at",
    )
    register_export(ProgressReport, person=["reported_by"], fields="project__title created_at text")
    register_export(Rating, person=["user"], fields="project__title created_at score reason")
    register_export(
        PioneerPost,
        person=["member"],
        fields="workplace commitment starts_on ends_on achievements",
    )
    register_export(
        ExpertPair,
        person=["expert", "mentee"],
        fields="studio expert__name mentee__name speciality started_on",
    )
    exclude_from_export(
        "projects.Project.set_by", "centre staff or a secretary setting a project for the town"
    )
    exclude_from_export(
        "projects.LeaderComment.author", "leaders commenting on other members' projects"
    )
