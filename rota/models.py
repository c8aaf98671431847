"""The GIS Red Alliance and its covenant calendar."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """An alliance member: a county bureau, a social organisation, or the centre itself."""

    class Kind(models.TextChoices):
        COUNTY_BUREAU = "bureau", _("County bureau")
        SOCIAL_ORGANISATION = "social", _("Social organisation")
        CENTRE = "centre", _("The service centre")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    duty_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations_as_contact",
        verbose_name=_("duty contact"),
    )
    backup_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations_as_backup",
        verbose_name=_("backup contact"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("alliance organisation")
        verbose_name_plural = _("alliance organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class DutyWeek(models.Model):
    """One covenant duty week, Monday to Sunday, held by one organisation."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    week_start = models.DateField(_("week starting (Monday)"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="duty_weeks",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
