"""A duty week's own steps: the organisation acknowledges it, staff mark it missed or hand it
to another organisation (whose reminders are then re-pointed)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members import figures_version
from members.audit import AuditEvent, record_event
from members.audit_changes import record_change, snapshot
from members.refusals import STALE, Refused
from members.transitions import transition
from rota import locks, reminders
from rota.actions.checks import check_manager
from rota.actions.reminders import issue_due_reminders, withdraw_reminder
from rota.models import DutyWeek, Organisation, Reminder, SwapRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def acknowledge_duty(*, duty_week: DutyWeek, by: User | AnonymousUser) -> DutyWeek:
    """The organisation confirms its week: planned -> confirmed. Repeating it changes nothing."""
    week = locks.lock_weeks(duty_week.pk)[duty_week.pk]
    if week.acknowledged_at is not None:
        return week
    if week.status != DutyWeek.Status.PLANNED:
        raise Refused(_("This duty week can no longer be acknowledged."), code=STALE)
    if week.week_end < timezone.localdate():
        raise Refused(_("This duty week is over."), code="past")
    transition(
        week,
        allowed=[DutyWeek.Status.PLANNED],
        to=DutyWeek.Status.CONFIRMED,
        refusal=_("This duty week can no longer be acknowledged."),
        acknowledged_at=timezone.now(),
        acknowledged_by=by if getattr(by, "is_authenticated", False) else None,
    )
    withdraw_reminder(week, Reminder.Kind.UNACKNOWLEDGED)  # the escalation is moot now
    return week


@transaction.atomic
def mark_missed(*, duty_week: DutyWeek, by: User) -> DutyWeek:
    """Staff record that the organisation did not serve: planned/confirmed -> missed."""
    check_manager(by)
    if duty_week.week_start > timezone.localdate():
        raise Refused(_("A week can be marked missed once it has started."), code="future")
    duty_week = locks.lock_weeks(duty_week.pk)[duty_week.pk]
    before = snapshot(duty_week, ["status"])
    transition(
        duty_week,
        allowed=[DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED],
        to=DutyWeek.Status.MISSED,
        repeat_ok=True,
        refusal=_("A week with a duty report cannot be marked missed."),
    )
    # .update() sends no save signal: the action records its change itself.
    record_change(by=by, obj=duty_week, action="mark_missed", before=before)
    return duty_week


# --- reassignment by staff ------------------------------------------------------------------

# Reminders sent before a week starts: they name the holder, so a new holder gets them again.
PRE_WEEK_KINDS = (Reminder.Kind.WEEK_AHEAD, Reminder.Kind.UNACKNOWLEDGED, Reminder.Kind.DAY_BEFORE)


@transaction.atomic
def reassign_duty_week(*, week: DutyWeek, organisation: Organisation, by: User) -> DutyWeek:
    """Centre staff hand a week to another organisation; return the week.

    Only a week that is not over, not done or missed, and in no open swap request. The new
    holder has not acknowledged it yet (planned again); the reminders of the week are
    re-pointed (see `_retarget_reminders`). Handing it to its holder again changes nothing.
    """
    check_manager(by)
    week = locks.lock_weeks(week.pk)[week.pk]
    if week.organisation_id == organisation.pk:
        return week
    if (
        week.status in (DutyWeek.Status.DONE, DutyWeek.Status.MISSED)
        or week.week_end < timezone.localdate()
    ):
        raise Refused(
            _("The week of %(date)s has been held already and cannot be reassigned.")
            % {"date": reminders.long_date(week.week_start)},
            code="held",
        )
    if not organisation.is_active:
        raise Refused(
            _("%(organisation)s is not an active alliance member.")
            % {"organisation": organisation.name},
            code="inactive",
        )
    if SwapRequest.objects.filter(
        Q(from_week=week) | Q(to_week=week), status__in=SwapRequest.OPEN_STATUSES
    ).exists():
        raise Refused(
            _("This week is in an open swap request: reject it first, then reassign the week."),
            code="open_swap",
        )
    previous = week.organisation
    now = timezone.now()
    hand_over(week, to=organisation.pk, now=now)
    week.refresh_from_db()
    retargeted = _retarget_reminders(week=week, now=now)
    record_event(
        AuditEvent.Kind.ADMIN_CHANGE,
        user=by,
        obj=week,
        details={
            "action": "reassign_duty_week",
            "model": "rota.dutyweek",
            "changes": {"organisation": {"before": previous.name, "after": organisation.name}},
            "reminders_resent": retargeted,
        },
    )
    logger.info(
        "rota.week_reassigned",
        extra={"week": week.pk, "from_org": previous.pk, "to_org": organisation.pk},
    )
    return week


def hand_over(week: DutyWeek, *, to: int, now: dt.datetime) -> None:
    """Give `week` (locked) to the organisation `to`; it is planned again, as the new holder
    has not acknowledged it yet (a reassignment by staff, or an approved swap)."""
    figures_version.bump()  # the home panel names this week's organisation (no save signal)
    DutyWeek.objects.filter(pk=week.pk).update(
        organisation_id=to,
        # Kept so the generator leaves a week that changed hands by hand or by swap as it is.
        planned_organisation_id=week.planned_organisation_id or week.organisation_id,
        status=DutyWeek.Status.PLANNED,
        acknowledged_at=None,
        acknowledged_by=None,
        updated_at=now,
    )


def _retarget_reminders(*, week: DutyWeek, now: dt.datetime) -> int:
    """Remind the week's new holder; return how many reminders were issued again.

    The pre-week reminders issued to the previous holder are issued again, now, to the new
    one (and, for an unacknowledged week, to the centre): their copies still waiting are
    withdrawn, their schedule rows deleted and the week's due reminders issued at once, under
    new events. Once the week has started no pre-week reminder is due, so nothing goes out.
    """
    for kind in PRE_WEEK_KINDS:
        withdraw_reminder(week, kind)  # copies to the previous holder not sent yet: not sent
    Reminder.objects.filter(duty_week=week, kind__in=PRE_WEEK_KINDS).delete()
    return issue_due_reminders(now=now, weeks=[week.pk])
