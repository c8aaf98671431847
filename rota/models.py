"""The GIS Red Alliance and its covenant calendar."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.constraints import ends_after, first_day_of_month, within
from members.fields import (
    Timestamped,
    acting_user,
    optional_link,
    parent_link,
    protected_link,
    stamp,
)
from members.text import CleanCharField, CleanTextField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def manages_rota(user) -> bool:
    """Centre staff: every organisation's rows, and the centre's decisions on them."""
    return bool(user.is_superuser or user.has_perm("rota.manage_rota"))


def monday_of(day: dt.date) -> dt.date:
    """Return the Monday of the ISO week that contains `day`."""
    return day - dt.timedelta(days=day.weekday())


class OrganisationQuerySet(models.QuerySet):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)

    def for_contact(self, user) -> OrganisationQuerySet:
        """Organisations where `user` is the duty or the backup contact (none for anonymous)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(duty_contact=user) | Q(backup_contact=user))


class Organisation(models.Model):
    """An alliance member: a county bureau, a social organisation, or the centre itself."""

    class Kind(models.TextChoices):
        COUNTY_BUREAU = "bureau", _("County bureau")
        SOCIAL_ORGANISATION = "social", _("Social organisation")
        CENTRE = "centre", _("The service centre")

    name = CleanCharField(_("name"), max_length=200, unique=True)
    short_name = CleanCharField(_("short name"), max_length=50, blank=True)
    kind = CleanCharField(_("kind"), max_length=16, choices=Kind.choices)
    duty_contact = optional_link(
        settings.AUTH_USER_MODEL,
        related_name="organisations_as_contact",
        verbose_name=_("duty contact"),
    )
    backup_contact = optional_link(
        settings.AUTH_USER_MODEL,
        related_name="organisations_as_backup",
        verbose_name=_("backup contact"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    # Secret of the organisation's own calendar feed; empty means revoked (the URL is then 404).
    feed_token = CleanCharField(
        _("calendar feed token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("alliance organisation")
        verbose_name_plural = _("alliance organisations")
        # Centre staff hold it; alliance contacts with admin access see only their own rows.
        permissions = [("manage_rota", _("Can manage the whole alliance rota"))]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.short_name = " ".join(self.short_name.split())
        super().save(*args, **kwargs)

    def has_contact(self, user: User | AnonymousUser | None) -> bool:
        """Whether `user` is the duty or the backup contact (never an anonymous visitor).

        The row-by-row twin of `Organisation.objects.for_contact(user)`: one rule for who
        speaks for an organisation, in every app.
        """
        return bool(
            user is not None
            and user.is_authenticated
            and user.pk in (self.duty_contact_id, self.backup_contact_id)
        )

    @staticmethod
    def new_feed_token() -> str:
        return secrets.token_urlsafe(32)


class BlackoutQuerySet(models.QuerySet):
    def for_contact(self, user) -> BlackoutQuerySet:
        """Blackouts of the organisations where `user` is duty or backup contact."""
        return self.filter(organisation__in=Organisation.objects.for_contact(user))


class Blackout(models.Model):
    """Dates on which an organisation cannot take a duty week (the generator avoids them)."""

    organisation = parent_link(
        Organisation, related_name="blackouts", verbose_name=_("organisation")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = CleanCharField(_("reason"), max_length=200, blank=True)

    objects = BlackoutQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("blackout dates")
        verbose_name_plural = _("blackout dates")
        constraints = [
            ends_after("ends_on", "starts_on", same_day=True, name="rota_blackout_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class DutyWeekQuerySet(models.QuerySet):
    def for_contact(self, user) -> DutyWeekQuerySet:
        """Duty weeks of the organisations where `user` is duty or backup contact."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            Q(organisation__duty_contact=user) | Q(organisation__backup_contact=user)
        )

    def containing(self, day: dt.date) -> DutyWeek | None:
        """Return the duty week whose Monday..Sunday contains `day`, or None."""
        week = self.filter(week_start=monday_of(day)).select_related("organisation").first()
        return cast("DutyWeek | None", week)

    def unacknowledged(self, today: dt.date) -> DutyWeekQuerySet:
        """Weeks under way or starting within seven days that the organisation has not
        acknowledged yet (the reminders ask from seven days before)."""
        return self.filter(
            status=DutyWeek.Status.PLANNED,
            week_start__gt=today - dt.timedelta(days=7),
            week_start__lte=today + dt.timedelta(days=7),
        )

    def ended_without_report(self, today: dt.date) -> DutyWeekQuerySet:
        """Weeks that ended before `today`, were not missed, and have no duty report."""
        return self.filter(
            week_start__lte=today - dt.timedelta(days=7),
            report__isnull=True,
            status__in=[DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED],
        )


class DutyWeek(Timestamped):
    """One covenant duty week, Monday to Sunday, held by one organisation.

    planned -> confirmed (the contact acknowledged) -> done (report filed); planned or
    confirmed -> missed (staff). Only planned weeks that have not started may be regenerated.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    week_start = models.DateField(_("week starting (Monday)"))
    organisation = protected_link(
        Organisation, related_name="duty_weeks", verbose_name=_("organisation")
    )
    status = CleanCharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    acknowledged_at = stamp(_("acknowledged"))
    acknowledged_by = acting_user(_("acknowledged by"))
    # The organisation first planned for this week, kept when a swap changes it.
    planned_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("originally planned"),
    )

    objects = DutyWeekQuerySet.as_manager()

    class Meta:
        ordering = ["week_start"]
        verbose_name = _("duty week")
        verbose_name_plural = _("duty weeks")
        constraints = [
            models.UniqueConstraint(fields=["week_start"], name="rota_dutyweek_one_per_week"),
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1), name="rota_dutyweek_starts_monday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d} {self.organisation}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def is_swapped(self) -> bool:
        return (
            self.planned_organisation_id is not None
            and self.planned_organisation_id != self.organisation_id
        )


class MonthlyTheme(models.Model):
    """One theme a month (一月一主题)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    title = CleanCharField(_("theme"), max_length=200)
    description = CleanTextField(_("description"), blank=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("monthly theme")
        verbose_name_plural = _("monthly themes")
        constraints = [first_day_of_month("month", name="rota_theme_first_of_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"


class ExchangeMeeting(models.Model):
    """One exchange meeting a quarter (一季一交流)."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, q) for q in range(1, 5)])
    held_on = models.DateField(_("date"))
    venue = CleanCharField(_("venue"), max_length=200)
    host = protected_link(Organisation, related_name="hosted_meetings", verbose_name=_("host"))
    attendance = models.PositiveIntegerField(_("number attending"), null=True, blank=True)
    minutes = CleanTextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["held_on"]
        verbose_name = _("exchange meeting")
        verbose_name_plural = _("exchange meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"], name="rota_meeting_one_per_quarter"
            ),
            within("quarter", 1, 4, name="rota_meeting_quarter_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} {self.venue}"


class MeetingAttendanceQuerySet(models.QuerySet):
    def in_year(self, year: int) -> MeetingAttendanceQuerySet:
        """Attendance at the meetings held in calendar year `year`."""
        return self.filter(meeting__held_on__year=year)


class MeetingAttendance(models.Model):
    """An alliance organisation attended a quarterly exchange meeting (一季一交流).

    Counts in the yearly ranking; the meeting's host counts as attending without a row.
    `ExchangeMeeting.attendance` stays the head count of people; this is per organisation.
    Written by `rota.actions.record_meeting_attendance`.
    """

    meeting = parent_link(
        ExchangeMeeting, related_name="organisation_attendances", verbose_name=_("exchange meeting")
    )
    organisation = protected_link(
        Organisation, related_name="meeting_attendances", verbose_name=_("organisation")
    )
    recorded_by = acting_user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = MeetingAttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__held_on", "organisation__name"]
        verbose_name = _("exchange meeting attendance")
        verbose_name_plural = _("exchange meeting attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="rota_attendance_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.organisation}"

    def clean(self) -> None:
        if self.meeting_id is not None and self.meeting.held_on > timezone.localdate():
            message = _("Attendance can be recorded once the meeting has taken place.")
            raise ValidationError({"meeting": ValidationError(message, code="future")})


class SwapRequestQuerySet(models.QuerySet):
    def for_contact(self, user) -> SwapRequestQuerySet:
        """Requests on either side of which stands an organisation `user` is a contact of:
        the asking one (to follow or cancel) and the asked one (to accept or decline)."""
        organisations = Organisation.objects.for_contact(user)
        return self.filter(
            Q(from_organisation__in=organisations) | Q(to_organisation__in=organisations)
        )


class SwapRequest(Timestamped):
    """A contact asks to swap their week with another organisation's week.

    requested -> accepted (the other contact) -> approved (centre staff, weeks swapped);
    requested or accepted -> declined (other contact) / rejected (staff) / cancelled.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted by the other organisation")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined by the other organisation")
        REJECTED = "rejected", _("Rejected by staff")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.REQUESTED, Status.ACCEPTED)

    from_week = parent_link(DutyWeek, related_name="swaps_out", verbose_name=_("own week"))
    to_week = parent_link(DutyWeek, related_name="swaps_in", verbose_name=_("other week"))
    # Who held each week when the request was made (the history, even after the swap).
    from_organisation = protected_link(
        Organisation, related_name="+", verbose_name=_("requesting organisation")
    )
    to_organisation = protected_link(Organisation, related_name="+", verbose_name=_("asked"))
    status = CleanCharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    reason = CleanCharField(_("reason"), max_length=300, blank=True)
    requested_by = acting_user(_("requested by (person)"), blank=False)
    answered_by = acting_user(_("answered by"))
    decided_by = acting_user(_("decided by"))

    objects = SwapRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_week=models.F("to_week")), name="rota_swap_two_weeks"
            ),
            # A week is in at most one open request at a time.
            models.UniqueConstraint(
                fields=["from_week"],
                condition=Q(status__in=["requested", "accepted"]),
                name="rota_swap_one_open_per_from_week",
            ),
            models.UniqueConstraint(
                fields=["to_week"],
                condition=Q(status__in=["requested", "accepted"]),
                name="rota_swap_one_open_per_to_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} ⇄ {self.to_organisation}"


def report_photo_path(instance: DutyReportPhoto, filename: str) -> str:
    return f"rota/reports/{instance.report_id}/{secrets.token_hex(8)}.jpg"


class DutyReportQuerySet(models.QuerySet):
    def for_contact(self, user) -> DutyReportQuerySet:
        """Reports of the duty weeks `DutyWeek.objects.for_contact(user)` returns."""
        return self.filter(duty_week__in=DutyWeek.objects.for_contact(user))


class DutyReport(models.Model):
    """What an organisation delivered in its duty week (filed after the week)."""

    duty_week = models.OneToOneField(
        DutyWeek, on_delete=models.CASCADE, related_name="report", verbose_name=_("duty week")
    )
    summary = CleanTextField(_("services and activities delivered"))
    services_delivered = models.PositiveIntegerField(_("number of services"), default=0)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    filed_by = acting_user(_("filed by"), blank=False)
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)

    objects = DutyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-duty_week__week_start"]
        verbose_name = _("duty report")
        verbose_name_plural = _("duty reports")

    def __str__(self) -> str:
        return str(self.duty_week)


class DutyReportPhoto(models.Model):
    report = parent_link(DutyReport, related_name="photos", verbose_name=_("report"))
    image = models.ImageField(_("photo"), upload_to=report_photo_path)

    class Meta:
        ordering = ["id"]
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return self.image.name or ""


class Reminder(models.Model):
    """The reminders' schedule: one row per (duty week, reminder kind) once it was issued.

    The scan writes the row and tells the recipients through members.notices in the same
    transaction; the row is unique, so a repeated or concurrent scan issues nobody a reminder
    twice. The notices outbox delivers the copies (e-mail, SMS, group robots) and keeps their
    failures; this row only records that the reminder was issued. Reassigning a week deletes
    its pre-week rows, so the new holder is reminded again (see actions.reassign_duty_week).
    """

    class Kind(models.TextChoices):
        WEEK_AHEAD = "week_ahead", _("7 days before")
        UNACKNOWLEDGED = "unacknowledged", _("Not acknowledged 2 days before")
        DAY_BEFORE = "day_before", _("1 day before")
        REPORT_MISSING = "report_missing", _("Report missing")
        # Not scheduled: told when staff approve a swap (no row of this kind is written).
        SWAP_APPROVED = "swap_approved", _("Swap approved")

    duty_week = parent_link(DutyWeek, related_name="reminders", verbose_name=_("duty week"))
    kind = CleanCharField(_("reminder"), max_length=20, choices=Kind.choices)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-issued_at", "id"]
        verbose_name = _("duty reminder")
        verbose_name_plural = _("duty reminders")
        constraints = [
            models.UniqueConstraint(fields=["duty_week", "kind"], name="rota_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.duty_week} {self.kind}"


class ReminderSchedule(models.Model):
    """The moment the next duty reminder can fall due, so that the scan (every minute) reads
    one row until then instead of the weeks and the reminders already issued.

    One row (id 1), written by the scan only. Its `generation` is the value of the
    `rota_reminder_changes` sequence the scan started from: a database trigger bumps that
    sequence on every write to the weeks, reports, organisations and the deletion of issued
    reminders (admin, imports, swaps, bulk updates, raw SQL alike; migration 0009), so a
    stored moment older than any such change is not trusted. A missing row means "scan".
    """

    next_due_at = models.DateTimeField()
    computed_at = models.DateTimeField()
    generation = models.BigIntegerField()

    class Meta:
        verbose_name = _("duty reminder schedule")
        verbose_name_plural = _("duty reminder schedule")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="rota_reminderschedule_one_row"),
            ends_after("next_due_at", "computed_at", name="rota_reminderschedule_ahead"),
        ]

    def __str__(self) -> str:
        return f"{self.next_due_at:%Y-%m-%d %H:%M}"
