"""projects: member projects, their reports, comments and ratings, pioneer posts, the studio.

Who may do what (issue #17): centre staff run everything; a branch secretary sets, changes and
comments on their own branch's projects and keeps its pioneer posts; reports and ratings come
from the public pages (staff read them, centre staff may delete one); anyone reads a project.
A logged-in person rates a project in its rating window; a member with a record claims one.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from members.models import Member
from services.projects.models import (
    ExpertPair,
    LeaderComment,
    PioneerPost,
    ProgressReport,
    Project,
    Rating,
    TeamMember,
)
from tests.roles.matrix import ALL, OWN, AdminSpec, PageSpec

_n = itertools.count(1)
EVERYTHING = {"view": ALL, "change": ALL, "delete": ALL, "export": ALL, "add": ALL}
EVERY_PUBLIC_ROLE = (
    "centre_staff",
    "branch_secretary",
    "alliance_contact",
    "operator",
    "auditor",
    "no_role",
    "member",
    "anonymous",
)


def _project(world, key: str, status: str = Project.Status.OPEN) -> Project:
    claimed = status != Project.Status.OPEN
    done = status in (Project.Status.COMPLETED, Project.Status.COMMENDED)
    now = world["now"]
    project = Project.objects.create(
        title=f"项目{next(_n)}",
        goal="为园区职工建设充电桩。",
        outcome="建成20个充电桩。",
        deadline=timezone.localdate() + dt.timedelta(days=30),
        branch=world["branch"][key],
        status=status,
        pledge="按期完成。" if claimed else "",
        claimed_at=now if claimed else None,
        rating_opens_at=now if status == Project.Status.RATING else None,
        rating_closes_at=now + dt.timedelta(days=7) if status == Project.Status.RATING else None,
        completed_at=now if done else None,
    )
    if claimed:
        TeamMember.objects.create(project=project, member=world["member"][key], is_leader=True)
    return project


def _projects(world, status: str = Project.Status.OPEN) -> dict:
    return {key: _project(world, key, status) for key in ("own", "other")}


def _reports(world) -> dict:
    return {
        key: ProgressReport.objects.create(
            project=_project(world, key, Project.Status.IN_PROGRESS), text="完成一半。"
        )
        for key in ("own", "other")
    }


def _comments(world) -> dict:
    return {
        key: LeaderComment.objects.create(
            project=_project(world, key, Project.Status.IN_PROGRESS),
            author_name="廖明",
            text="进度不错。",
        )
        for key in ("own", "other")
    }


def _ratings(world) -> dict:
    return {
        key: Rating.objects.create(
            project=_project(world, key, Project.Status.RATING),
            user=world["requester"],
            score=5,
            reason="很实用。",
        )
        for key in ("own", "other")
    }


def _posts(world) -> dict:
    return {
        key: PioneerPost.objects.create(
            member=world["member"][key],
            workplace=workplace,
            commitment="攻坚克难。",
            starts_on=dt.date(2026, 1, 1),
        )
        for key, workplace in [("own", "研发部"), ("other", "测绘院")]
    }


def _pair(world) -> dict:
    return {
        "any": ExpertPair.objects.create(
            studio="党员专家工作室",
            expert=world["member"]["own"],
            mentee=world["member"]["other"],
            started_on=dt.date(2016, 5, 1),
        )
    }


# --- grow (changelist query counts) -------------------------------------------------------------
def grow_projects(world, count: int) -> None:
    for _ in range(count):
        _project(world, "own", Project.Status.CLAIMED)


def grow_reports(world, count: int) -> None:
    for _ in range(count):
        ProgressReport.objects.create(
            project=_project(world, "own", Project.Status.IN_PROGRESS), text="进展。"
        )


def grow_comments(world, count: int) -> None:
    for _ in range(count):
        LeaderComment.objects.create(
            project=_project(world, "own", Project.Status.CLAIMED), author_name="廖明", text="好。"
        )


def grow_ratings(world, count: int) -> None:
    for _ in range(count):
        Rating.objects.create(
            project=_project(world, "own", Project.Status.RATING),
            user=world["requester"],
            score=4,
            reason="好。",
        )


def grow_posts(world, count: int) -> None:
    for _ in range(count):
        PioneerPost.objects.create(
            member=world["member"]["own"],
            workplace=f"岗位{next(_n)}",
            commitment="服务群众。",
            starts_on=dt.date(2026, 1, 1),
        )


def grow_pairs(world, count: int) -> None:
    for _ in range(count):
        mentee = Member.objects.create(
            name=f"学员{next(_n)}", gender="m", branch=world["branch"]["own"]
        )
        ExpertPair.objects.create(
            studio="党员专家工作室",
            expert=world["member"]["own"],
            mentee=mentee,
            started_on=dt.date(2016, 5, 1),
        )


SCOPED_VIEWERS = ("centre_staff", "branch_secretary")
ADMIN = [
    AdminSpec(
        model="projects.project",
        rows=_projects,
        # Statuses move through the actions; a project is never deleted by a secretary.
        allowed={
            "centre_staff": EVERYTHING,
            "branch_secretary": {"view": OWN, "change": OWN, "export": OWN, "add": ALL},
        },
        marker=lambda row: row.title,
        grow=grow_projects,
        grow_viewers=SCOPED_VIEWERS,
    ),
    AdminSpec(
        model="projects.progressreport",
        rows=_reports,
        # Written by the team on the project's page; read here. Centre staff "change" one only
        # to take a photo down (the photo inline; every field is read-only).
        allowed={
            "centre_staff": {"view": ALL, "change": ALL, "delete": ALL},
            "branch_secretary": {"view": OWN},
        },
        grow=grow_reports,
        grow_viewers=SCOPED_VIEWERS,
    ),
    AdminSpec(
        model="projects.leadercomment",
        rows=_comments,
        # Published as written: added through the action, never edited.
        allowed={
            "centre_staff": {"view": ALL, "delete": ALL, "add": ALL},
            "branch_secretary": {"view": OWN, "add": ALL},
        },
        grow=grow_comments,
        grow_viewers=SCOPED_VIEWERS,
    ),
    AdminSpec(
        model="projects.rating",
        rows=_ratings,
        # The public's words: read here; centre staff may remove an abusive one.
        allowed={"centre_staff": {"view": ALL, "delete": ALL}, "branch_secretary": {"view": OWN}},
        grow=grow_ratings,
        grow_viewers=SCOPED_VIEWERS,
    ),
    AdminSpec(
        model="projects.pioneerpost",
        rows=_posts,
        allowed={
            "centre_staff": EVERYTHING,
            "branch_secretary": {"view": OWN, "change": OWN, "export": OWN, "add": ALL},
        },
        marker=lambda row: row.workplace,
        grow=grow_posts,
        grow_viewers=SCOPED_VIEWERS,
    ),
    AdminSpec(
        model="projects.expertpair",
        rows=_pair,
        allowed={"centre_staff": {"view": ALL, "change": ALL, "delete": ALL, "add": ALL}},
        grow=grow_pairs,
    ),
]


# --- public pages -------------------------------------------------------------------------------
def attempt_claim(client, project: Project) -> bool:
    client.post(reverse("projects:project_claim", args=[project.pk]), {"pledge": "我来领办。"})
    return Project.objects.get(pk=project.pk).status == Project.Status.CLAIMED


def attempt_rate(client, project: Project) -> bool:
    client.post(
        reverse("projects:project_rate", args=[project.pk]), {"score": "4", "reason": "好。"}
    )
    return Rating.objects.filter(project=project).exists()


def _open_project(world) -> dict:
    return {"any": _project(world, "other")}


def _rated_project(world) -> dict:
    return {"any": _project(world, "other", Project.Status.RATING)}


PAGES = [
    PageSpec(
        name="projects:project_detail",
        rows=lambda world: {"any": _project(world, "own", Project.Status.COMPLETED)},
        url=lambda row: reverse("projects:project_detail", args=[row.pk]),
        allowed=dict.fromkeys(EVERY_PUBLIC_ROLE, ALL),
    ),
    PageSpec(
        name="projects:project_claim",
        rows=_open_project,
        url=lambda row: reverse("projects:project_claim", args=[row.pk]),
        # Only a login with a member record claims (the world's "member" has one).
        allowed={"member": ALL},
        attempt=attempt_claim,
    ),
    PageSpec(
        name="projects:project_rate",
        rows=_rated_project,
        url=lambda row: reverse("projects:project_rate", args=[row.pk]),
        # Any logged-in person not on the team, once.
        allowed={role: ALL for role in EVERY_PUBLIC_ROLE if role != "anonymous"},
        attempt=attempt_rate,
    ),
]
