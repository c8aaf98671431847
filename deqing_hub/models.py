"""What the cross-app ranking keeps: score formulas, monthly points totals, published snapshots.

The ranking never reads the raw points ledger inside a request. `MemberMonthTotal` holds each
member's earned points per month, refreshed by a periodic task and again when a month is
closed; `RankingSnapshot` freezes a closed month. Writers live in `deqing_hub.ranking`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.constraints import first_day_of_month
from members.fields import acting_user, parent_link, protected_link
from members.models import Member
from members.periods import next_month
from members.text import CleanCharField


class ScoreFormulaQuerySet(models.QuerySet["ScoreFormula"]):
    def in_force_on(self, day: dt.date) -> ScoreFormula | None:
        """The formula in force on `day`: the latest one effective on or before it."""
        return self.filter(effective_from__lte=day).order_by("-effective_from").first()


def _weight(verbose_name, default: str, help_text):
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=2,
        default=Decimal(default),
        help_text=help_text,
    )


class ScoreFormula(models.Model):
    """The weights of the alliance organisations' monthly score, in force from a month on.

    A formula applies to every month from `effective_from` until the next formula takes over.
    New weights may only start in a future month, and a formula already in force is never
    edited, so no published or running month is scored again with other weights.
    """

    effective_from = models.DateField(
        _("effective from"),
        unique=True,
        help_text=_("The first day of a month; the weights apply from that month on."),
    )
    duty_week = _weight(_("per duty week held"), "10", _("Points for each duty week held."))
    duty_report = _weight(
        _("per duty report filed"), "5", _("Points for each duty week whose report was filed.")
    )
    service_record = _weight(
        _("per service delivered"), "2", _("Points for each service record of the month.")
    )
    wish_fulfilled = _weight(
        _("per wish fulfilled"), "3", _("Points for each micro-wish the organisation fulfilled.")
    )
    wish_confirmed = _weight(
        _("per wish confirmed"),
        "2",
        _("Extra points for each fulfilled wish the wisher confirmed."),
    )
    activity = _weight(
        _("per activity organised"), "3", _("Points for each published activity organised.")
    )
    rating_star = _weight(
        _("per rating star"),
        "0.20",
        _("Points for each star of the ratings its service requests received (1 to 5 each)."),
    )
    meeting = _weight(
        _("per exchange meeting"),
        "5",
        _("Yearly ranking only: points for each quarterly exchange meeting attended."),
    )
    note = CleanCharField(_("reason for the change"), max_length=300, blank=True)
    created_by = acting_user(_("set by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScoreFormulaQuerySet.as_manager()

    # The monthly components in the order the page shows them: (field, payload key).
    MONTHLY_COMPONENTS = (
        "duty_week",
        "duty_report",
        "service_record",
        "wish_fulfilled",
        "wish_confirmed",
        "activity",
        "rating_star",
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("score formula")
        verbose_name_plural = _("score formulas")
        constraints = [
            first_day_of_month("effective_from", name="deqing_hub_formula_starts_first_of_month"),
            models.CheckConstraint(
                condition=Q(duty_week__gte=0)
                & Q(duty_report__gte=0)
                & Q(service_record__gte=0)
                & Q(wish_fulfilled__gte=0)
                & Q(wish_confirmed__gte=0)
                & Q(activity__gte=0)
                & Q(rating_star__gte=0)
                & Q(meeting__gte=0),
                name="deqing_hub_formula_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Formula from %(date)s") % {"date": f"{self.effective_from:%Y-%m}"})

    @property
    def is_in_force(self) -> bool:
        """True once its first month has begun (from then on it is never edited)."""
        return self.pk is not None and self.effective_from <= timezone.localdate()

    def clean(self) -> None:
        if self.effective_from and self.effective_from.day != 1:
            raise ValidationError(
                {"effective_from": _("New weights take effect on the first day of a month.")},
                code="not_first_of_month",
            )
        if self.effective_from and self.effective_from <= timezone.localdate():
            raise ValidationError(
                {
                    "effective_from": _(
                        "New weights may only start in a future month (from %(date)s); "
                        "months already begun keep the weights they started with."
                    )
                    % {"date": next_month(timezone.localdate()).isoformat()}
                },
                code="retroactive",
            )

    def weights(self) -> dict[str, str]:
        """The weights as strings (exact decimals), for snapshots and JSON."""
        return {name: str(getattr(self, name)) for name in (*self.MONTHLY_COMPONENTS, "meeting")}


class MemberMonthTotal(models.Model):
    """A member's earned points in one calendar month (Asia/Shanghai), summed from the ledger."""

    member = parent_link(Member, related_name="+", verbose_name=_("party member"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    points = models.IntegerField(_("points earned"))
    entries = models.PositiveIntegerField(_("ledger entries"))
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        ordering = ["-month", "-points", "member_id"]
        verbose_name = _("monthly points total")
        verbose_name_plural = _("monthly points totals")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month"], name="deqing_hub_total_one_per_member_month"
            ),
            first_day_of_month("month", name="deqing_hub_total_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "-points"], name="deqing_hub_total_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.member_id}: {self.points}"


def canonical_json(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(payload: dict) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


class RankingSnapshot(models.Model):
    """A closed month's ranking, frozen: later records never change it. Written once."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    formula = protected_link(ScoreFormula, related_name="snapshots", verbose_name=_("formula"))
    payload = models.JSONField(_("ranking"))
    content_hash = CleanCharField(_("content hash (SHA-256)"), max_length=64)
    published_at = models.DateTimeField(_("published"))
    published_by = acting_user(
        _("closed by"), help_text=_("Empty when the monthly task closed it.")
    )
    # What the month page shows by default (the first rows of each table, the counts, the trend
    # of the top organisations), derived from `payload` by `ranking.close_month` and kept
    # current by it: the page reads this small column instead of the 1 MB payload and the
    # trend query over eleven of them. Not part of the content hash.
    summary = models.JSONField(_("page summary"), default=dict, editable=False)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("published monthly ranking")
        verbose_name_plural = _("published monthly rankings")
        constraints = [
            first_day_of_month("month", name="deqing_hub_snapshot_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A published ranking is never changed."), code="frozen")
        super().save(*args, **kwargs)

    def hash_matches(self) -> bool:
        """True if the stored payload still has the hash it was published with."""
        return content_hash(self.payload) == self.content_hash
