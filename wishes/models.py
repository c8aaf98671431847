"""The micro-wish wall: wishes, their photos, claims by alliance organisations, and the timeline.

Lifecycle (收集 → 核实 → 公示 → 认领 → 办结), one action per arrow in `wishes.actions`:
submitted → published | rejected; published → claimed → in progress → fulfilled → confirmed;
fulfilled → in progress (reopened by the wisher); claimed/in progress → published (last claim
released); submitted/published → withdrawn (by the wisher, before any claim).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.constraints import filled_when, not_blank
from members.fields import (
    Timestamped,
    acting_user,
    optional_link,
    parent_link,
    protected_link,
    stamp,
)
from members.text import CleanCharField, CleanTextField

TEXT_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 60
MAX_PHOTOS = 3


class WishQuerySet(models.QuerySet):
    def public(self) -> WishQuerySet:
        """Wishes anyone may see on the wall (published and later, never rejected/withdrawn)."""
        return self.filter(status__in=Wish.PUBLIC_STATUSES)

    def waiting(self) -> WishQuerySet:
        """Submissions waiting for a staff decision."""
        return self.filter(status=Wish.Status.SUBMITTED)

    def granted(self) -> WishQuerySet:
        """Wishes an organisation has fulfilled (confirmed by the wisher or not yet)."""
        return self.filter(status__in=[Wish.Status.FULFILLED, Wish.Status.CONFIRMED])

    def visible_to(self, user) -> WishQuerySet:
        """Public wishes, the user's own and those their organisations claimed; all for staff."""
        if not user.is_authenticated:
            return self.public()
        if user.is_staff and user.has_perm("wishes.moderate_wish"):
            return self
        # Released claims too: an organisation keeps seeing a wish it once worked on.
        claimed = Claim.objects.for_contact(user).filter(wish=OuterRef("pk"))
        return self.filter(Q(status__in=Wish.PUBLIC_STATUSES) | Q(wisher=user) | Exists(claimed))

    def claimed_for_contact(self, user) -> WishQuerySet:
        """Wishes an organisation the user is a contact of has claimed and not released."""
        claims = Claim.objects.active().for_contact(user).filter(wish=OuterRef("pk"))
        return self.filter(Exists(claims))

    def managed_by(self, user) -> WishQuerySet:
        """Admin scope: every wish for moderators; otherwise the wishes the user's
        organisations claimed (the alliance contact's role opens claims, not this desk)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_active and user.has_perm("wishes.moderate_wish"):
            return self.all()
        return self.claimed_for_contact(user)

    def overdue(self, *, today: date | None = None) -> WishQuerySet:
        """Published too long without a claim, or claimed and past a promised date."""
        return self.filter(self.overdue_condition(today=today))

    @staticmethod
    def overdue_condition(*, today: date | None = None) -> Q:
        today = today or timezone.localdate()
        days = settings.WISHES_UNCLAIMED_OVERDUE_DAYS
        unclaimed_since = timezone.now() - timedelta(days=days)
        late_claims = Claim.objects.active().filter(wish=OuterRef("pk"), promised_on__lt=today)
        return Q(status=Wish.Status.PUBLISHED, published_at__lt=unclaimed_since) | Q(
            Q(status__in=[Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS]) & Exists(late_claims)
        )

    def with_overdue(self, *, today: date | None = None) -> WishQuerySet:
        """Annotate `is_overdue` in the same query (no query per wish on the wall)."""
        return self.annotate(
            is_overdue=models.ExpressionWrapper(
                self.overdue_condition(today=today), output_field=models.BooleanField()
            )
        )


def _organisations_for_contact(user):
    """Organisations the user is a contact of: the rota app's one rule for it."""
    from rota.models import Organisation

    return Organisation.objects.for_contact(user)


class Wish(Timestamped):
    """A small wish posted by a member or a member of the public."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for verification")
        CHANGES_ASKED = "changes_asked", _("Changes asked for")
        PUBLISHED = "published", _("On the wall")
        REJECTED = "rejected", _("Not accepted")
        CLAIMED = "claimed", _("Claimed")
        IN_PROGRESS = "in_progress", _("In progress")
        FULFILLED = "fulfilled", _("Fulfilled")
        CONFIRMED = "confirmed", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PUBLIC_STATUSES = (
        Status.PUBLISHED,
        Status.CLAIMED,
        Status.IN_PROGRESS,
        Status.FULFILLED,
        Status.CONFIRMED,
    )

    title = CleanCharField(_("title"), max_length=TITLE_MAX_LENGTH)
    text = CleanTextField(_("wish"), max_length=TEXT_MAX_LENGTH)
    category = protected_link(
        "services.Category", related_name="wishes", verbose_name=_("category")
    )
    wisher = protected_link(
        settings.AUTH_USER_MODEL, related_name="wishes", verbose_name=_("wisher")
    )
    show_name = models.BooleanField(
        _("show my name"),
        default=False,
        help_text=_("Otherwise only your family name is shown, as 王*."),
    )
    status = CleanCharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    rejection_reason = CleanCharField(_("reason for not accepting"), max_length=300, blank=True)
    # What staff asked the wisher to change before they verify it (a phone number in the text,
    # a photo of a person's ID, a wish too vague to grant); kept until the wisher sends it again.
    changes_asked = CleanCharField(_("changes asked for"), max_length=300, blank=True)
    evidence = CleanTextField(_("how it was fulfilled"), max_length=1000, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    published_at = stamp(_("published"))
    fulfilled_at = stamp(_("fulfilled"))
    confirmed_at = stamp(_("confirmed"))
    auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)

    objects = WishQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        permissions = [("moderate_wish", _("Can verify, reject and route wishes"))]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH),
                name="wishes_wish_text_max_500",
            ),
            not_blank("title", name="wishes_wish_title_not_empty"),
            filled_when(
                Q(status="rejected"), "rejection_reason", name="wishes_wish_rejection_has_reason"
            ),
            filled_when(
                Q(status="changes_asked"),
                "changes_asked",
                name="wishes_wish_changes_asked_say_what",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="wishes_wish_status_idx"),
            # The wall's order: newest first, read backwards until a page is full.
            models.Index(fields=["-created_at", "-id"], name="wishes_wish_recent_idx"),
            # The wall's pages (members.pagination reads ids with OFFSET): index-only over the
            # public wishes, the category filter included, instead of every joined row.
            models.Index(
                fields=["-created_at", "-id"],
                include=["category"],
                condition=Q(
                    status__in=["published", "claimed", "in_progress", "fulfilled", "confirmed"]
                ),
                name="wishes_wish_wall_idx",
            ),
            # The granted stories and count: the newest fulfilled first without sorting all wishes.
            models.Index(
                fields=["-fulfilled_at", "-id"],
                condition=Q(status__in=["fulfilled", "confirmed"]),
                name="wishes_wish_granted_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # Set by `WishQuerySet.with_overdue` (the admin's annotation); None: work it out in Python.
    _overdue: bool | None = None

    @property
    def is_overdue(self) -> bool:
        """`WishQuerySet.overdue_condition` for this wish. From the `with_overdue` annotation when
        the query made one, else from the prefetched `active_claims` (`wishes.views.wall_queryset`):
        as an SQL annotation on the wall, PostgreSQL hashed every active claim in each query."""
        if self._overdue is not None:
            return self._overdue
        claims = getattr(self, "active_claims", None)
        if claims is None and self.status in (Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS):
            # Not prefetched: one query (list pages prefetch; counts are pinned).
            return self.claims.active().filter(promised_on__lt=timezone.localdate()).exists()
        return Wish.overdue(self.status, self.published_at, [c.promised_on for c in claims or ()])

    @is_overdue.setter
    def is_overdue(self, value: bool) -> None:
        self._overdue = value

    @staticmethod
    def overdue(status: str, published_at: datetime | None, promised: list[date]) -> bool:
        """`is_overdue` from a wish's plain columns and its active claims' promised dates: the
        wall reads its cards as rows, not model instances (wishes.cards)."""
        if status == Wish.Status.PUBLISHED:
            since = timezone.now() - timedelta(days=settings.WISHES_UNCLAIMED_OVERDUE_DAYS)
            return published_at is not None and published_at < since
        if status not in (Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS):
            return False
        today = timezone.localdate()
        return any(promised_on < today for promised_on in promised)

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def public_wisher_name(self) -> str:
        """The wisher's name if they agreed to show it, else the family name and a star."""
        if not self.wisher_id:
            return Wish.public_name(self.show_name, None, None)
        return Wish.public_name(self.show_name, self.wisher.first_name, self.wisher.last_name)

    @staticmethod
    def public_name(show_name: bool, first_name: str | None, last_name: str | None) -> str:
        """`public_wisher_name` from the wish's and the wisher's plain columns (None: no wisher)."""
        name = f"{last_name or ''}{first_name or ''}".strip()  # User.display_name
        if show_name and name:
            return name
        family = (last_name or "").strip()[:1]
        return f"{family}*" if family else str(_("A member"))


class ClaimQuerySet(models.QuerySet):
    def active(self) -> ClaimQuerySet:
        return self.filter(released_at__isnull=True)

    def for_contact(self, user) -> ClaimQuerySet:
        """Claims of the organisations the user is a contact of."""
        return self.filter(organisation__in=_organisations_for_contact(user))

    def managed_by(self, user) -> ClaimQuerySet:
        """Admin scope: every claim for moderators, a contact's own organisations' otherwise."""
        if not user.is_authenticated:
            return self.none()
        if user.is_active and user.has_perm("wishes.moderate_wish"):
            return self.all()
        return self.for_contact(user)

    def overdue(self, *, today: date | None = None) -> ClaimQuerySet:
        """Active claims past their promised date while the wish is still being worked on."""
        return self.active().filter(
            promised_on__lt=today or timezone.localdate(),
            wish__status__in=[Wish.Status.CLAIMED, Wish.Status.IN_PROGRESS],
        )


class Claim(models.Model):
    """An alliance organisation's promise to grant a wish by a date (认领)."""

    wish = parent_link(Wish, related_name="claims", verbose_name=_("wish"))
    organisation = protected_link(
        "rota.Organisation", related_name="wish_claims", verbose_name=_("organisation")
    )
    promised_on = models.DateField(_("promised by"))
    claimed_by = acting_user(_("claimed by"), on_delete=models.PROTECT, null=False, blank=False)
    released_at = stamp(_("released"))
    release_reason = CleanCharField(_("reason for releasing"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("claimed"), auto_now_add=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            # One live claim per organisation and wish; a released claim may be renewed later.
            models.UniqueConstraint(
                fields=["wish", "organisation"],
                condition=Q(released_at__isnull=True),
                name="wishes_claim_one_active_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | ~Q(release_reason=""),
                name="wishes_claim_release_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.wish}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class Invitation(models.Model):
    """Staff asked an organisation whose services match the wish to consider claiming it."""

    wish = parent_link(Wish, related_name="invitations", verbose_name=_("wish"))
    organisation = parent_link(
        "rota.Organisation", related_name="wish_invitations", verbose_name=_("organisation")
    )
    invited_by = acting_user(_("invited by"), on_delete=models.PROTECT, null=False, blank=False)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("invitation to claim")
        verbose_name_plural = _("invitations to claim")
        constraints = [
            models.UniqueConstraint(
                fields=["wish", "organisation"], name="wishes_invitation_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ← {self.wish}"


class WishEvent(models.Model):
    """One step of a wish's life: the public timeline and the record of every decision."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", _("Verified and published")
        REJECTED = "rejected", _("Not accepted")
        CHANGES_ASKED = "changes_asked", _("Changes asked for")
        REVISED = "revised", _("Changed and sent again by the wisher")
        INVITED = "invited", _("Organisation invited to claim")
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Claim released")
        UPDATE = "update", _("Progress update")
        FULFILLED = "fulfilled", _("Fulfilled")
        CONFIRMED = "confirmed", _("Confirmed by the wisher")
        AUTO_CONFIRMED = "auto_confirmed", _("Confirmed automatically")
        REOPENED = "reopened", _("Reopened by the wisher")
        WITHDRAWN = "withdrawn", _("Withdrawn by the wisher")

    # Shown on the public wish page; the others are for the wisher, claimers and staff.
    PUBLIC_KINDS = (
        Kind.VERIFIED,
        Kind.CLAIMED,
        Kind.RELEASED,
        Kind.UPDATE,
        Kind.FULFILLED,
        Kind.CONFIRMED,
        Kind.AUTO_CONFIRMED,
        Kind.REOPENED,
    )

    wish = parent_link(Wish, related_name="events", verbose_name=_("wish"))
    kind = CleanCharField(_("what happened"), max_length=16, choices=Kind.choices)
    actor = acting_user(_("by"))
    organisation = optional_link(
        "rota.Organisation", related_name="+", verbose_name=_("organisation")
    )
    text = CleanTextField(_("text"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("wish event")
        verbose_name_plural = _("wish events")
        indexes = [models.Index(fields=["wish", "created_at"], name="wishes_event_wish_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.wish}"

    @property
    def is_public(self) -> bool:
        return self.kind in self.PUBLIC_KINDS


def photo_path(instance: WishPhoto, filename: str) -> str:
    """Uploaded names are never used: `filename` is already a generated uuid name."""
    return f"wishes/photos/{timezone.now():%Y/%m}/{filename}"


class WishPhoto(models.Model):
    """A re-encoded photo of a wish (or of a progress update) and its wall thumbnail."""

    wish = parent_link(Wish, related_name="photos", verbose_name=_("wish"))
    event = models.ForeignKey(
        WishEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("update"),
    )
    image = models.ImageField(
        _("photo"), upload_to=photo_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PHOTOS), name="wishes_photo_at_most_three"
            ),
            models.UniqueConstraint(
                fields=["wish", "position"],
                condition=Q(event__isnull=True),
                name="wishes_photo_one_per_wish_position",
            ),
            models.UniqueConstraint(
                fields=["event", "position"],
                condition=Q(event__isnull=False),
                name="wishes_photo_one_per_update_position",
            ),
        ]

    def __str__(self) -> str:
        return self.image.name or ""


class StaffDigest(models.Model):
    """One row per day the waiting-wishes digest went out, so a repeated run sends nothing."""

    sent_on = models.DateField(_("day"), unique=True)
    waiting_count = models.PositiveIntegerField(_("wishes waiting"), default=0)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_on"]
        verbose_name = _("staff digest")
        verbose_name_plural = _("staff digests")

    def __str__(self) -> str:
        return f"{self.sent_on:%Y-%m-%d}"
