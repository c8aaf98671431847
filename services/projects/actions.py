"""Use cases of the projects app, the only writers of its rows: `from . import actions`.

Every action is keyword-only, atomic, returns the changed object and raises `Refused` (a code
and a message in the user's language) when a rule refuses, changing nothing. The status moves
through `members.transitions.transition` (a conditional UPDATE), so two clicks or two staff
cannot take the same step twice. Lock order: the project row, then the points accounts that
`points.actions.award` locks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.images import CleanPhoto, files_removed_on_rollback
from members.models import Branch, Member
from members.querysets import sees_every_branch
from members.refusals import Refused
from members.transitions import transition
from points import actions as points_actions
from services.projects.models import (
    LeaderComment,
    ProgressReport,
    Project,
    Rating,
    ReportPhoto,
    TeamMember,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from members.models import User

Status = Project.Status

# Points for keeping a pledge (each team member) and for a commendation (published on the
# ranking page as the project contest's rule).
PROJECT_DELIVERY_POINTS = 20
PROJECT_COMMENDATION_POINTS = 30
# The largest team that claims one project together ("one member or a small team").
MAX_TEAM = 5
UNDER_WAY = (Status.CLAIMED, Status.IN_PROGRESS)
UNFINISHED = _("Only a completed project can be commended; this one is %(status)s.")


def may_run(user: User | None, branch: Branch) -> bool:
    """Centre staff run every branch's projects; a branch secretary their branch's."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return sees_every_branch(user) or branch.secretary_id == user.pk


def _require_runner(user: User, branch: Branch) -> None:
    if not may_run(user, branch):
        raise Refused(
            _("Only centre staff or the branch's secretary may do this."), code="forbidden"
        )


@transaction.atomic
def set_project(
    *,
    title: str,
    goal: str,
    outcome: str,
    deadline: datetime.date,
    branch: Branch,
    by: User,
) -> Project:
    """确立项目: centre staff, or the branch's secretary, set a project for members to claim."""
    _require_runner(by, branch)
    if deadline < timezone.localdate():
        raise Refused(_("The deadline has already passed."), code="past_deadline", field="deadline")
    return Project.objects.create(
        title=title.strip(),
        goal=goal.strip(),
        outcome=outcome.strip(),
        deadline=deadline,
        branch=branch,
        set_by=by,
    )


@transaction.atomic
def claim_project(
    *, project: Project, member: Member, pledge: str, team: Iterable[Member] = ()
) -> Project:
    """认领承诺: `member` claims an open project with a public pledge and leads its team."""
    pledge = pledge.strip()
    if not pledge:
        raise Refused(_("Write the pledge you make."), code="pledge_required", field="pledge")
    if not member.is_active:
        raise Refused(_("Only members on the roll may claim a project."), code="not_member")
    others = [m for m in {m.pk: m for m in team}.values() if m.pk != member.pk]
    if len(others) + 1 > MAX_TEAM:
        raise Refused(
            _("A team has at most %(count)s members."), code="team_size", params={"count": MAX_TEAM}
        )
    if project.status == Status.OPEN and project.deadline < timezone.localdate():
        raise Refused(
            _("This project's deadline has passed; it can no longer be claimed."),
            code="past_deadline",
        )
    transition(
        project,
        allowed=[Status.OPEN],
        to=Status.CLAIMED,
        refusal=_("This project is already claimed (%(status)s)."),
        pledge=pledge,
        claimed_at=timezone.now(),
    )
    TeamMember.objects.bulk_create(
        [TeamMember(project=project, member=member, is_leader=True)]
        + [TeamMember(project=project, member=m) for m in others]
    )
    return project


def is_on_team(user: User | None, project: Project) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return project.team.filter(member__user=user).exists()


def report_progress(
    *, project: Project, by: User, text: str, photos: Sequence[CleanPhoto] = ()
) -> ProgressReport:
    """履诺: someone on the team reports progress; the first report starts the delivery.

    `photos` come checked and re-encoded from the form (`members.images`). Opens its own
    transaction, whose photo files are removed if it rolls back: never nest it.
    """
    text = text.strip()
    with files_removed_on_rollback() as files:
        if not is_on_team(by, project):
            raise Refused(_("Only the project's team may report its progress."), code="not_on_team")
        if not text:
            raise Refused(_("Say what was done."), code="text_required", field="text")
        transition(
            project,
            allowed=UNDER_WAY,
            to=Status.IN_PROGRESS,
            refusal=_("Progress is reported while a project is under way; it is %(status)s."),
            repeat_ok=True,
        )
        report = ProgressReport.objects.create(project=project, text=text, reported_by=by)
        files.save_photos(photos, lambda: ReportPhoto(report=report))
    return report


@transaction.atomic
def comment_on_project(*, project: Project, by: User, text: str) -> LeaderComment:
    """领导点评: centre staff or the branch's secretary comment on a claimed project."""
    _require_runner(by, project.branch)
    text = text.strip()
    if not text:
        raise Refused(_("Write the comment."), code="text_required", field="text")
    if project.status == Status.OPEN:
        raise Refused(_("A project is commented on once it is claimed."), code="not_claimed")
    return LeaderComment.objects.create(
        project=project,
        author=by,
        author_name=by.get_full_name() or by.get_username(),
        text=text,
    )


@transaction.atomic
def open_rating(*, project: Project, by: User, closes_at: datetime.datetime) -> Project:
    """群众评议: the team delivered; the public may rate the project until `closes_at`."""
    _require_runner(by, project.branch)
    now = timezone.now()
    if closes_at <= now:
        raise Refused(_("The rating window must end in the future."), code="window_past")
    transition(
        project,
        allowed=[Status.IN_PROGRESS],
        to=Status.RATING,
        refusal=_("Rating opens once progress has been reported; the project is %(status)s."),
        rating_opens_at=now,
        rating_closes_at=closes_at,
    )
    return project


@transaction.atomic
def rate_project(*, project: Project, by: User, score: int, reason: str) -> Rating:
    """A logged-in person, not on the team, rates the project once while the window is open."""
    reason = reason.strip()
    if not by.is_authenticated:
        raise Refused(_("Log in to rate a project."), code="login_required")
    if not 1 <= score <= 5:
        raise Refused(_("A rating is from 1 to 5 stars."), code="score", field="score")
    if not reason:
        raise Refused(_("Give a reason for your rating."), code="reason_required", field="reason")
    now = timezone.now()
    if project.status != Status.RATING or project.rating_opens_at is None:
        raise Refused(_("Rating for this project is not open."), code="rating_not_open")
    if project.rating_closes_at is not None and now >= project.rating_closes_at:
        raise Refused(_("Rating for this project has closed."), code="rating_closed")
    if is_on_team(by, project):
        raise Refused(_("The team does not rate its own project."), code="own_project")
    if Rating.objects.filter(project=project, user=by).exists():
        raise Refused(_("You have already rated this project."), code="rated_twice")
    try:
        # A savepoint: a double click racing this one hits the unique constraint.
        with transaction.atomic():
            return Rating.objects.create(project=project, user=by, score=score, reason=reason)
    except IntegrityError:
        raise Refused(_("You have already rated this project."), code="rated_twice") from None


def _move_and_award(
    project: Project,
    *,
    step: str,
    allowed: Status,
    to: Status,
    refusal: StrOrPromise,
    amount: int,
    reason: StrOrPromise,
    by: User,
    **changes,
) -> Project:
    """Take the step once (a repeat changes nothing) and, only when this call took it, award
    each team member `amount` under the source "project:<id>:<step>" (once per member)."""
    if transition(project, allowed=[allowed], to=to, refusal=refusal, repeat_ok=True, **changes):
        points_actions.bulk_award(
            members=[t.member for t in project.team.select_related("member")],
            amount=amount,
            reason=str(reason) % {"title": project.title},
            source_prefix=f"project:{project.pk}:{step}",
            by=by,
        )
    return project


@transaction.atomic
def complete_project(*, project: Project, by: User) -> Project:
    """Close the rating: the pledge is kept; each team member earns the delivery points once."""
    _require_runner(by, project.branch)
    now = timezone.now()
    return _move_and_award(
        project,
        step="completed",
        allowed=Status.RATING,
        to=Status.COMPLETED,
        refusal=_("Only a project in public rating can be completed; it is %(status)s."),
        amount=PROJECT_DELIVERY_POINTS,
        reason=_("Project delivered: %(title)s"),
        by=by,
        completed_at=now,
        rating_closes_at=now,
    )


@transaction.atomic
def commend_project(*, project: Project, by: User, citation: str) -> Project:
    """评选表彰: centre staff commend a completed project; its team earns the points once."""
    if not sees_every_branch(by):
        raise Refused(_("Only centre staff commend projects."), code="forbidden")
    citation = citation.strip()
    if not citation:
        raise Refused(_("Say why it is commended."), code="citation_required", field="citation")
    if project.status not in (Status.COMPLETED, Status.COMMENDED):
        raise Refused(
            UNFINISHED, code="unfinished", params={"status": project.get_status_display()}
        )
    return _move_and_award(
        project,
        step="commended",
        allowed=Status.COMPLETED,
        to=Status.COMMENDED,
        refusal=UNFINISHED,
        amount=PROJECT_COMMENDATION_POINTS,
        reason=_("Project commended: %(title)s"),
        by=by,
        commended_at=timezone.now(),
        citation=citation,
    )
