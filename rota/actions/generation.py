"""Generating the rota: fill a range of weeks, keeping the weeks that are fixed."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members import figures_version
from members.audit_changes import record_addition
from members.refusals import Refused
from rota import locks
from rota.generator import Candidate, mondays_between, plan_weeks
from rota.models import Blackout, DutyWeek, Organisation, SwapRequest

if TYPE_CHECKING:
    from members.models import User

logger = logging.getLogger(__name__)


@dataclass
class GenerationResult:
    created: list[DutyWeek] = field(default_factory=list)
    kept: list[DutyWeek] = field(default_factory=list)
    replaced: int = 0
    unfilled: dict[dt.date, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def generate_rota(
    *,
    start: dt.date,
    end: dt.date,
    skip_holiday_weeks: bool = True,
    today: dt.date | None = None,
    by: User | None = None,
) -> GenerationResult:
    """Fill the weeks from `start` to `end` (see rota.generator for the algorithm).

    Weeks that started, are not planned, or were swapped are kept as they are. When staff
    generate it (`by`), each week added is in the audit trail (the command's run is not).
    """
    today = today or timezone.localdate()
    if end < start:
        raise Refused(_("The end date is before the start date."), code="range")
    mondays = mondays_between(start, end)
    if not mondays:
        raise Refused(_("The range contains no Monday, so no duty week."), code="empty")
    # Taken before anything is read, so a second generator plans from the first one's result.
    locks.lock_generation()
    organisations = list(
        Organisation.objects.active()
        .annotate(
            last_duty=Max("duty_weeks__week_start", filter=Q(duty_weeks__week_start__lt=mondays[0]))
        )
        .order_by(F("last_duty").asc(nulls_first=True), "pk")
    )
    if not organisations:
        raise Refused(_("There is no active organisation to put on duty."), code="none")
    blackouts: dict[int, list] = {}
    for b in Blackout.objects.filter(
        ends_on__gte=mondays[0], starts_on__lte=mondays[-1] + dt.timedelta(days=6)
    ):
        blackouts.setdefault(b.organisation_id, []).append((b.starts_on, b.ends_on))
    candidates = [
        Candidate(id=o.pk, label=str(o), blackouts=blackouts.get(o.pk, [])) for o in organisations
    ]

    existing = DutyWeek.objects.select_for_update().filter(week_start__in=mondays)
    # Weeks in a swap (approved or still open) are kept: the swap promised them.
    in_swaps: set[int] = set()
    for row in SwapRequest.objects.filter(
        Q(status=SwapRequest.Status.APPROVED) | Q(status__in=SwapRequest.OPEN_STATUSES),
        Q(from_week__week_start__in=mondays) | Q(to_week__week_start__in=mondays),
    ).values_list("from_week_id", "to_week_id"):
        in_swaps.update(row)
    kept: list[DutyWeek] = []
    replaceable: list[DutyWeek] = []
    for week in existing:
        fixed = (
            week.week_start <= today
            or week.status != DutyWeek.Status.PLANNED
            or week.pk in in_swaps
            or week.is_swapped
        )
        (kept if fixed else replaceable).append(week)
    # Planned future weeks are redrawn: remove them, their unsent reminders go with them.
    DutyWeek.objects.filter(pk__in=[w.pk for w in replaceable]).delete()

    plan = plan_weeks(
        mondays=mondays,
        candidates=candidates,
        kept={w.week_start: w.organisation_id for w in kept},
        skip_holiday_weeks=skip_holiday_weeks,
    )
    DutyWeek.objects.bulk_create(
        DutyWeek(week_start=monday, organisation_id=oid, planned_organisation_id=oid)
        for monday, oid in sorted(plan.assignments.items())
    )
    figures_version.bump()  # the home panel shows this week's duty (bulk_create: no signal)
    # Read back with their organisations, so callers can show the plan without more queries.
    created = list(
        DutyWeek.objects.filter(week_start__in=plan.assignments).select_related("organisation")
    )
    if by is not None:
        for week in created:
            record_addition(
                by=by,
                obj=week,
                action="generate_rota",
                fields=("week_start", "organisation_id", "status"),
            )
    logger.info(
        "rota.generated",
        extra={
            "weeks_created": len(created),
            "weeks_kept": len(kept),
            "weeks_unfilled": len(plan.unfilled),
        },
    )
    return GenerationResult(
        created=created,
        kept=sorted(kept, key=lambda w: w.week_start),
        replaced=len(replaceable),
        unfilled=plan.unfilled,
        warnings=plan.warnings,
    )
