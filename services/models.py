"""The service catalogue, service requests and records, and activities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pypinyin import Style, lazy_pinyin

from members.constraints import at_least, ends_after, within
from members.fields import (
    Timestamped,
    acting_user,
    optional_link,
    parent_link,
    protected_link,
    stamp,
)
from members.text import CleanCharField, CleanSlugField, CleanTextField
from services.querysets import (
    ActivityQuerySet,
    AttendanceQuerySet,
    ServiceQuerySet,
    ServiceRequestQuerySet,
    SignUpQuerySet,
)


def pinyin_key(text: str) -> str:
    """Return 'full pinyin + space + initials' of Chinese text, lower case, for search.

    "党建指导" -> "dangjianzhidao djzd". Non-Chinese characters pass through unchanged.
    """
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    return f"{''.join(full.split())} {''.join(initials.split())}"


class Category(models.Model):
    """One of the six service-list categories (党建指导, 党务办理, ...); editable by staff."""

    code = CleanSlugField(_("code"), max_length=32, unique=True)
    name = CleanCharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return self.name


class Service(Timestamped):
    """An entry of the service list, delivered by one or more alliance organisations."""

    class Venue(models.TextChoices):
        SERVICE_HALL = "hall", _("Service hall")
        RED_COLLAR_ACADEMY = "academy", _("Red Collar Academy")
        BOOK_BAR = "book_bar", _("Red Alliance book bar")
        ONLINE = "online", _("Online")

    title = CleanCharField(_("title"), max_length=120)
    description = CleanTextField(_("description"), blank=True)
    category = protected_link(Category, related_name="services", verbose_name=_("category"))
    providers = models.ManyToManyField(
        "rota.Organisation",
        related_name="services",
        blank=True,
        verbose_name=_("providing organisations"),
    )
    venue = CleanCharField(_("where"), max_length=16, choices=Venue.choices)
    how_to_get = CleanTextField(_("how to get it"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Derived in save(): pinyin of title and description so "dangjian" or "djzd" find 党建指导.
    search_pinyin = CleanTextField(_("pinyin for search"), blank=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "title", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "title"],
                name="services_service_unique_title",
                violation_error_message=_(
                    "A service with this title already exists in this category."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_pinyin = f"{pinyin_key(self.title)} {pinyin_key(self.description)}"
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_pinyin"}
        super().save(*args, **kwargs)


class ServiceRequest(Timestamped):
    """A request: 点单 → 派单 → 接单 → 办结 → 评单 (order, dispatch, accept, complete, rate)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("service request", "Requested")
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    service = protected_link(Service, related_name="requests", verbose_name=_("service"))
    requester = protected_link(
        settings.AUTH_USER_MODEL, related_name="service_requests", verbose_name=_("requested by")
    )
    enterprise = optional_link(
        "members.Enterprise",
        related_name="service_requests",
        verbose_name=_("on behalf of enterprise"),
    )
    details = CleanTextField(_("what is needed"), max_length=1000)
    status = CleanCharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    organisation = models.ForeignKey(
        "rota.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("dispatched to"),
    )
    dispatched_at = stamp(_("dispatched"))
    answered_at = stamp(_("answered"))
    decline_reason = CleanTextField(_("reason for declining"), blank=True)
    completed_at = stamp(_("completed"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = CleanTextField(_("comment on the rating"), blank=True, max_length=500)
    rated_at = stamp(_("rated"))
    # Set once by the overdue scan, so staff are told once per request.
    overdue_flagged_at = stamp(_("flagged overdue"))

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        constraints = [
            within(
                "rating",
                1,
                5,
                optional=True,
                name="services_request_rating_1_to_5",
                message=_("A rating is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status="completed"),
                name="services_request_rated_only_completed",
                violation_error_message=_("A request can be rated only after it is completed."),
            ),
            models.CheckConstraint(
                condition=Q(status="requested")
                | Q(status="withdrawn")
                | Q(organisation__isnull=False),
                name="services_request_dispatched_has_org",
                violation_error_message=_(
                    "A dispatched request needs the organisation it was dispatched to."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service}"


class RequestEvent(models.Model):
    """One step of a request's history; also the outbox of the notices sent for it."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("service request", "Requested")
        DISPATCHED = "dispatched", _("Dispatched")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        RATED = "rated", _("Rated")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OVERDUE = "overdue", _("Overdue")

    request = parent_link(ServiceRequest, related_name="events", verbose_name=_("request"))
    kind = CleanCharField(_("step"), max_length=16, choices=Kind.choices)
    by = acting_user(_("by"))
    note = CleanTextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()}"


class ServiceRecord(Timestamped):
    """A delivered service: the evidence behind "160+ services" and the alliance ranking."""

    service = protected_link(Service, related_name="records", verbose_name=_("service"))
    organisation = protected_link(
        "rota.Organisation", related_name="service_records", verbose_name=_("organisation")
    )
    delivered_on = models.DateField(_("date delivered"))
    duty_week = optional_link(
        "rota.DutyWeek", related_name="service_records", verbose_name=_("duty week")
    )
    people_served = models.PositiveIntegerField(_("people served"), default=1)
    notes = CleanTextField(_("notes"), blank=True)
    request = models.OneToOneField(
        ServiceRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="record",
        verbose_name=_("from request"),
    )
    recorded_by = acting_user(_("recorded by"))

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            at_least(
                "people_served",
                1,
                name="services_record_serves_someone",
                message=_("At least one person must have been served."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivered_on:%Y-%m-%d} {self.service}"


class RecordPhoto(models.Model):
    """A photo of a delivered service."""

    record = parent_link(ServiceRecord, related_name="photos", verbose_name=_("record"))
    image = models.ImageField(_("photo"), upload_to="services/records/%Y/%m/")
    caption = CleanCharField(_("caption"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("record photo")
        verbose_name_plural = _("record photos")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Activity(Timestamped):
    """An event members sign up for; attending it (verified) earns its points."""

    title = CleanCharField(_("title"), max_length=120)
    description = CleanTextField(_("description"), blank=True)
    category = protected_link(Category, related_name="activities", verbose_name=_("category"))
    monthly_theme = optional_link(
        "rota.MonthlyTheme", related_name="activities", verbose_name=_("month's theme")
    )
    organisation = protected_link(
        "rota.Organisation", related_name="activities", verbose_name=_("organised by")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = CleanCharField(_("venue"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacity"))
    points = models.PositiveIntegerField(_("points per attendee"), default=0)
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    is_published = models.BooleanField(_("shown publicly"), default=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            ends_after(
                "ends_at",
                "starts_at",
                name="services_activity_ends_after_start",
                message=_("The activity must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(signup_deadline__lte=models.F("ends_at")),
                name="services_activity_deadline_before_end",
                violation_error_message=_("The sign-up deadline must be before the activity ends."),
            ),
            at_least(
                "capacity",
                1,
                name="services_activity_capacity_positive",
                message=_("The capacity must be at least 1."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "title", "starts_at"],
                name="services_activity_unique_per_start",
                violation_error_message=_(
                    "This organisation already has an activity with this title at this time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def signup_is_open(self) -> bool:
        """Sign-ups are taken up to the deadline; a full activity still takes the waiting list."""
        return timezone.now() <= self.signup_deadline


class SignUp(models.Model):
    """A member's place at an activity: confirmed, or on the waiting list in order of sign-up."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("activity sign-up", "Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("activity sign-up", "Cancelled")

    activity = parent_link(Activity, related_name="signups", verbose_name=_("activity"))
    member = parent_link(
        "members.Member", related_name="activity_signups", verbose_name=_("member")
    )
    status = CleanCharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    promoted_at = stamp(_("moved up from the waiting list"))
    cancelled_at = stamp(_("cancelled"))

    objects = SignUpQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=~Q(status="cancelled"),
                name="services_signup_one_active_per_member",
                violation_error_message=_("You have already signed up for this activity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.activity}"


class Attendance(models.Model):
    """A verified attendance; the unique pair makes a replayed check-in award nothing."""

    class Method(models.TextChoices):
        QR = "qr", _("Scanned the check-in code")
        LIST = "list", _("Ticked by the organiser")

    activity = parent_link(Activity, related_name="attendances", verbose_name=_("activity"))
    member = parent_link(
        "members.Member", related_name="activity_attendances", verbose_name=_("member")
    )
    method = CleanCharField(_("how"), max_length=8, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("checked in"), auto_now_add=True)
    checked_in_by = acting_user(_("ticked by"))
    points_awarded = models.PositiveIntegerField(_("points awarded"), default=0)
    # Set on the rows check-in and ticking return: False when the attendance was already there.
    was_created: bool

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["checked_in_at", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                name="services_attendance_once_per_member",
                violation_error_message=_("This member has already checked in to this activity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.activity}"
