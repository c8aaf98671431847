"""Member projects (项目领办), pioneer posts (党员示范岗) and the expert studio (党员专家工作室)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from members.constraints import ends_after, not_blank, stamped_when, within
from members.fields import Timestamped, acting_user, parent_link, protected_link, stamp
from members.text import CleanCharField, CleanTextField
from services.projects.querysets import MemberRowQuerySet, ProjectQuerySet, TeamScopedQuerySet


class Project(Timestamped):
    """A project set for the town, claimed with a pledge, delivered and judged in public."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for claiming")
        CLAIMED = "claimed", _("Claimed")
        IN_PROGRESS = "in_progress", _("Under way")
        RATING = "rating", _("Public rating")
        COMPLETED = "completed", _("Completed")
        COMMENDED = "commended", _("Commended")

    title = CleanCharField(_("title"), max_length=120)
    goal = CleanTextField(_("goal"), max_length=2000)
    outcome = CleanTextField(_("measurable outcome"), max_length=1000)
    deadline = models.DateField(_("deliver by"))
    branch = protected_link("members.Branch", related_name="projects", verbose_name=_("branch"))
    status = CleanCharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    set_by = acting_user(_("set up by"))
    pledge = CleanTextField(_("pledge"), blank=True, max_length=2000)
    claimed_at = stamp(_("claimed at"))
    rating_opens_at = stamp(_("rating opens"))
    rating_closes_at = stamp(_("rating closes"))
    completed_at = stamp(_("completed at"))
    commended_at = stamp(_("commended at"))
    citation = CleanTextField(_("commendation"), blank=True, max_length=1000)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("member project")
        verbose_name_plural = _("member projects")
        constraints = [
            # A claimed project carries its pledge and when it was claimed; an open one neither.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(claimed_at__isnull=True) & Q(pledge=""))
                | (~Q(status="open") & Q(claimed_at__isnull=False) & ~Q(pledge="")),
                name="projects_claim_has_pledge",
                violation_error_message=_("A claimed project needs its pledge."),
            ),
            models.CheckConstraint(
                condition=Q(rating_opens_at__isnull=True)
                | Q(rating_closes_at__gt=F("rating_opens_at")),
                name="projects_rating_window_ends_after_it_opens",
                violation_error_message=_("The rating window must end after it opens."),
            ),
            stamped_when(
                Q(status__in=["completed", "commended"]),
                "completed_at",
                name="projects_completed_has_date",
            ),
            # Only a completed project is commended.
            models.CheckConstraint(
                condition=Q(status="commended", completed_at__isnull=False)
                | (~Q(status="commended") & Q(commended_at__isnull=True)),
                name="projects_commended_only_when_completed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def leader(self) -> TeamMember | None:
        return next((t for t in self.team.all() if t.is_leader), None)


class TeamMember(models.Model):
    """A member on a project's team; the one who claimed it leads."""

    project = parent_link(Project, related_name="team", verbose_name=_("project"))
    member = protected_link(
        "members.Member", related_name="project_places", verbose_name=_("member")
    )
    is_leader = models.BooleanField(_("leads the project"), default=False)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_leader", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["project", "member"], name="projects_one_place_each"),
            # One claim per project: one leader.
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_leader=True), name="projects_one_leader"
            ),
        ]

    def __str__(self) -> str:
        return str(self.member)


class ProgressReport(models.Model):
    """What the team delivered so far (履诺), in their words and photos."""

    project = parent_link(Project, related_name="reports", verbose_name=_("project"))
    text = CleanTextField(_("progress"), max_length=2000)
    reported_by = acting_user(_("reported by"))
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            not_blank("text", name="projects_report_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.created_at:%Y-%m-%d}"


class ReportPhoto(models.Model):
    """A photo of a progress report, checked and re-encoded by `members.images`."""

    report = parent_link(ProgressReport, related_name="photos", verbose_name=_("report"))
    image = models.ImageField(_("photo"), upload_to="projects/reports/%Y/%m/")

    objects = models.Manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return self.image.name or ""


class LeaderComment(models.Model):
    """领导点评: a leader's comment on a project under way or delivered."""

    project = parent_link(Project, related_name="comments", verbose_name=_("project"))
    author = acting_user(_("commented by"))
    author_name = CleanCharField(_("leader"), max_length=60)
    text = CleanTextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("commented at"), auto_now_add=True, db_index=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("leader comment")
        verbose_name_plural = _("leader comments")
        constraints = [
            not_blank("text", name="projects_comment_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:30]}"


class Rating(models.Model):
    """群众评议: one logged-in person's stars and reason for one project."""

    project = parent_link(Project, related_name="ratings", verbose_name=_("project"))
    user = parent_link("members.User", related_name="project_ratings", verbose_name=_("rated by"))
    score = models.PositiveSmallIntegerField(_("stars"))
    reason = CleanTextField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("public rating")
        verbose_name_plural = _("public ratings")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="projects_one_rating_each"),
            within(
                "score",
                1,
                5,
                name="projects_rating_1_to_5",
                message=_("A rating is from 1 to 5 stars."),
            ),
            not_blank("reason", name="projects_rating_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.score}"


class PioneerPost(Timestamped):
    """党员示范岗: a member's post at their workplace, its commitment and what was done there."""

    member = protected_link(
        "members.Member", related_name="pioneer_posts", verbose_name=_("member")
    )
    workplace = CleanCharField(_("workplace"), max_length=120)
    commitment = CleanTextField(_("commitment"), max_length=1000)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    achievements = CleanTextField(_("what was done"), blank=True, max_length=2000)

    objects = MemberRowQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("pioneer post")
        verbose_name_plural = _("pioneer posts")
        constraints = [
            ends_after(
                "ends_on",
                "starts_on",
                same_day=True,
                open_ended=True,
                name="projects_post_ends_after_start",
                message=_("A post cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.workplace}"


class ExpertPair(models.Model):
    """专家工作室: an expert mentoring one young member (帮带)."""

    studio = CleanCharField(_("studio"), max_length=80)
    expert = protected_link(
        "members.Member", related_name="mentees_in_studio", verbose_name=_("expert")
    )
    mentee = protected_link(
        "members.Member", related_name="mentors_in_studio", verbose_name=_("mentee")
    )
    speciality = CleanCharField(_("speciality"), max_length=80, blank=True)
    started_on = models.DateField(_("paired on"))

    objects = models.Manager()

    class Meta:
        ordering = ["studio", "pk"]
        verbose_name = _("expert and mentee")
        verbose_name_plural = _("expert studio pairs")
        constraints = [
            models.UniqueConstraint(fields=["expert", "mentee"], name="projects_one_pair_each"),
            models.CheckConstraint(
                condition=~Q(expert=F("mentee")),
                name="projects_expert_is_not_own_mentee",
                violation_error_message=_("An expert cannot mentor themselves."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.mentee}"


class Meeting(models.Model):
    """One recorded meeting of an expert and their mentee."""

    pair = parent_link(ExpertPair, related_name="meetings", verbose_name=_("pair"))
    met_on = models.DateField(_("met on"))
    topic = CleanCharField(_("topic"), max_length=120)
    notes = CleanTextField(_("notes"), blank=True, max_length=2000)

    objects = models.Manager()

    class Meta:
        ordering = ["-met_on", "pk"]
        verbose_name = _("studio meeting")
        verbose_name_plural = _("studio meetings")

    def __str__(self) -> str:
        return f"{self.pair} · {self.met_on}"
