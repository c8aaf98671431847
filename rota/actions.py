"""Use cases of the rota: generation, acknowledgement, swaps, reports, feeds and reminders."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit import AuditEvent, record_event
from members.audit_changes import record_addition, record_change, snapshot
from members.images import CleanPhoto, files_removed_on_rollback
from members.refusals import Refused
from members.transitions import transition
from rota import channels, locks, queries, reminders
from rota.generator import Candidate, mondays_between, plan_weeks
from rota.models import (
    Blackout,
    Delivery,
    DutyReport,
    DutyReportPhoto,
    DutyWeek,
    ExchangeMeeting,
    MeetingAttendance,
    Organisation,
    SwapRequest,
)

logger = logging.getLogger(__name__)


def _today() -> dt.date:
    return timezone.localdate()


# --- generation -----------------------------------------------------------------------------


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
    by=None,
) -> GenerationResult:
    """Fill the weeks from `start` to `end` (see rota.generator for the algorithm).

    Weeks that started, are not planned, or were swapped are kept as they are. When staff
    generate it (`by`), each week added is in the audit trail (the command's run is not).
    """
    today = today or _today()
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
    in_swaps = set()
    for row in SwapRequest.objects.filter(
        Q(status=SwapRequest.Status.APPROVED) | Q(status__in=SwapRequest.OPEN_STATUSES),
        Q(from_week__week_start__in=mondays) | Q(to_week__week_start__in=mondays),
    ).values_list("from_week_id", "to_week_id"):
        in_swaps.update(row)
    kept, replaceable = [], []
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


# --- acknowledgement, status ----------------------------------------------------------------


def _check_manager(user) -> None:
    """Decisions for the centre (approve, reject, mark missed) need the manage permission."""
    if not (user is not None and (user.is_superuser or user.has_perm("rota.manage_rota"))):
        raise Refused(_("Only centre staff can do this."), code="permission")


@transaction.atomic
def acknowledge_duty(*, duty_week: DutyWeek, by) -> DutyWeek:
    """The organisation confirms its week: planned -> confirmed. Repeating it changes nothing."""
    week = locks.lock_weeks(duty_week.pk)[duty_week.pk]
    if week.acknowledged_at is not None:
        return week
    if week.status != DutyWeek.Status.PLANNED:
        raise Refused(_("This duty week can no longer be acknowledged."), code="status")
    if week.week_end < _today():
        raise Refused(_("This duty week is over."), code="past")
    transition(
        week,
        allowed=[DutyWeek.Status.PLANNED],
        to=DutyWeek.Status.CONFIRMED,
        refusal=_("This duty week can no longer be acknowledged."),
        acknowledged_at=timezone.now(),
        acknowledged_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return week


@transaction.atomic
def mark_missed(*, duty_week: DutyWeek, by) -> DutyWeek:
    """Staff record that the organisation did not serve: planned/confirmed -> missed."""
    _check_manager(by)
    if duty_week.week_start > _today():
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
PRE_WEEK_KINDS = (Delivery.Kind.WEEK_AHEAD, Delivery.Kind.UNACKNOWLEDGED, Delivery.Kind.DAY_BEFORE)


@transaction.atomic
def reassign_duty_week(*, week: DutyWeek, organisation: Organisation, by) -> DutyWeek:
    """Centre staff hand a week to another organisation; return the week.

    Only a week that is not over, not done or missed, and in no open swap request. The new
    holder has not acknowledged it yet (planned again); the reminders of the week are
    re-pointed (see `_retarget_reminders`). Handing it to its holder again changes nothing.
    """
    _check_manager(by)
    week = locks.lock_weeks(week.pk)[week.pk]
    if week.organisation_id == organisation.pk:
        return week
    if week.status in (DutyWeek.Status.DONE, DutyWeek.Status.MISSED) or week.week_end < _today():
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
    DutyWeek.objects.filter(pk=week.pk).update(
        organisation=organisation,
        # Kept so the generator leaves a week staff assigned by hand as it is.
        planned_organisation_id=week.planned_organisation_id or previous.pk,
        status=DutyWeek.Status.PLANNED,
        acknowledged_at=None,
        acknowledged_by=None,
        updated_at=now,
    )
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


def _retarget_reminders(*, week: DutyWeek, now: dt.datetime) -> int:
    """Point the week's reminders at its new holder; return how many go out again.

    Reminders read their recipients when sent, so a pending row already goes to the new
    holder. Pre-week reminders the previous holder was sent (or that failed) go back to
    pending, so the new holder gets them too (a row is unique per week, kind and channel);
    channels the new holder cannot be reached on are skipped, missing ones added. A swap
    notice about the previous holder is no longer sent. Rows a worker is sending right now
    are left to it: it reads the holder when it starts.
    """
    # Locked so the periodic scan cannot claim one of them half re-pointed.
    list(Delivery.objects.select_for_update().filter(duty_week=week).values_list("pk"))
    rows = Delivery.objects.filter(duty_week=week)
    rows.filter(kind=Delivery.Kind.SWAP_APPROVED, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED, updated_at=now
    )
    if now >= reminders.local_time(week.week_start):
        return 0  # the week has started: pre-week reminders are no longer sent at all
    centre = reminders.centre_contacts()
    ids: list[int] = []
    kinds = set(rows.filter(kind__in=PRE_WEEK_KINDS).values_list("kind", flat=True).distinct())
    for kind in kinds:
        wanted = reminders.channels_for(reminders.recipients(kind, week, centre))
        Delivery.objects.bulk_create(
            [
                Delivery(duty_week=week, kind=kind, channel=ch, due_at=now, next_attempt_at=now)
                for ch in wanted
            ],
            ignore_conflicts=True,
        )
        of_kind = rows.filter(kind=kind).exclude(status=Delivery.Status.SENDING)
        of_kind.exclude(channel__in=wanted).update(status=Delivery.Status.SKIPPED, updated_at=now)
        again = of_kind.filter(channel__in=wanted)
        ids += list(again.values_list("pk", flat=True))
        again.update(
            status=Delivery.Status.PENDING,
            attempts=0,
            last_error="",
            sent_at=None,
            claimed_at=None,
            recipient_count=0,
            next_attempt_at=now,
            enqueued_at=now,
            updated_at=now,
        )
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


# --- swaps ----------------------------------------------------------------------------------


def _check_swappable(week: DutyWeek) -> None:
    if week.week_start <= _today():
        raise Refused(
            _("The week of %(date)s has already started or is past.")
            % {"date": reminders.long_date(week.week_start)},
            code="past",
        )
    if week.status not in (DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED):
        raise Refused(_("Only planned or confirmed weeks can be swapped."), code="status")
    if (
        week.is_swapped
        or SwapRequest.objects.filter(
            Q(from_week=week) | Q(to_week=week), status=SwapRequest.Status.APPROVED
        ).exists()
    ):
        raise Refused(
            _("The week of %(date)s has already been swapped once.")
            % {"date": reminders.long_date(week.week_start)},
            code="swapped",
        )


@transaction.atomic
def request_swap(*, from_week: DutyWeek, to_week: DutyWeek, by, reason: str = "") -> SwapRequest:
    """A contact of `from_week`'s organisation asks to swap with `to_week`."""
    weeks = locks.lock_weeks(from_week.pk, to_week.pk)
    from_week, to_week = weeks[from_week.pk], weeks[to_week.pk]
    if not from_week.organisation.has_contact(by):
        raise Refused(_("Only a contact of the organisation can ask for a swap."), code="scope")
    if from_week.organisation_id == to_week.organisation_id:
        raise Refused(_("Both weeks belong to the same organisation."), code="same")
    _check_swappable(from_week)
    _check_swappable(to_week)
    if SwapRequest.objects.filter(
        Q(from_week__in=[from_week, to_week]) | Q(to_week__in=[from_week, to_week]),
        status__in=SwapRequest.OPEN_STATUSES,
    ).exists():
        raise Refused(_("One of the weeks already has an open swap request."), code="open")
    try:
        with transaction.atomic():
            return SwapRequest.objects.create(
                from_week=from_week,
                to_week=to_week,
                from_organisation=from_week.organisation,
                to_organisation=to_week.organisation,
                requested_by=by,
                reason=reason.strip(),
            )
    except IntegrityError as exc:  # a concurrent request for the same week won the race
        raise Refused(_("One of the weeks already has an open swap request."), code="open") from exc


# What a centre decision changes on a swap request (recorded in the audit trail).
SWAP_DECISION_FIELDS = ("status", "decided_by_id")
# What approving a swap changes on each of its weeks.
WEEK_HANDOVER_FIELDS = (
    "organisation_id",
    "planned_organisation_id",
    "status",
    "acknowledged_at",
    "acknowledged_by_id",
)


# Why a step on a swap request was refused (`%(status)s`: the state it is in now).
SWAP_STALE = gettext_lazy("This swap request is %(status)s and cannot change now.")


def _move_swap(swap: SwapRequest, old: str, new: str, **fields: object) -> SwapRequest:
    """One step of a swap request; repeating a step that was taken changes nothing."""
    transition(swap, allowed=[old], to=new, repeat_ok=True, refusal=SWAP_STALE, **fields)
    return swap


@transaction.atomic
def accept_swap(*, swap: SwapRequest, by) -> SwapRequest:
    """The other organisation's contact agrees: requested -> accepted."""
    if not swap.to_organisation.has_contact(by):
        raise Refused(_("Only a contact of the other organisation can accept."), code="scope")
    return _move_swap(
        swap, SwapRequest.Status.REQUESTED, SwapRequest.Status.ACCEPTED, answered_by=by
    )


@transaction.atomic
def decline_swap(*, swap: SwapRequest, by) -> SwapRequest:
    if not swap.to_organisation.has_contact(by):
        raise Refused(_("Only a contact of the other organisation can decline."), code="scope")
    return _move_swap(
        swap, SwapRequest.Status.REQUESTED, SwapRequest.Status.DECLINED, answered_by=by
    )


@transaction.atomic
def reject_swap(*, swap: SwapRequest, by) -> SwapRequest:
    """Centre staff refuse an accepted (or still requested) swap."""
    _check_manager(by)
    swap = locks.lock_swap(swap.pk)
    before = snapshot(swap, SWAP_DECISION_FIELDS)
    old = (
        SwapRequest.Status.REQUESTED
        if swap.status == SwapRequest.Status.REQUESTED
        else SwapRequest.Status.ACCEPTED
    )
    swap = _move_swap(swap, old, SwapRequest.Status.REJECTED, decided_by=by)
    record_change(by=by, obj=swap, action="reject_swap", before=before)
    return swap


@transaction.atomic
def approve_swap(*, swap: SwapRequest, by) -> SwapRequest:
    """Centre staff approve an accepted swap: the two weeks change hands and both are told."""
    _check_manager(by)
    swap = locks.lock_swap(swap.pk)
    if swap.status == SwapRequest.Status.APPROVED:
        return swap
    if swap.status != SwapRequest.Status.ACCEPTED:
        raise Refused(
            _("Only a swap accepted by the other organisation can be approved."), code="status"
        )
    weeks = locks.lock_weeks(swap.from_week_id, swap.to_week_id)
    mine, theirs = weeks[swap.from_week_id], weeks[swap.to_week_id]
    for week in (mine, theirs):
        if week.week_start <= _today():
            raise Refused(
                _("The week of %(date)s has already started or is past.")
                % {"date": reminders.long_date(week.week_start)},
                code="past",
            )
    if (mine.organisation_id, theirs.organisation_id) != (
        swap.from_organisation_id,
        swap.to_organisation_id,
    ):
        raise Refused(_("The weeks changed hands since the request."), code="changed")
    now = timezone.now()
    before_weeks = {week.pk: snapshot(week, WEEK_HANDOVER_FIELDS) for week in (mine, theirs)}
    before_swap = snapshot(swap, SWAP_DECISION_FIELDS)
    for week, new_org in ((mine, swap.to_organisation_id), (theirs, swap.from_organisation_id)):
        DutyWeek.objects.filter(pk=week.pk).update(
            organisation_id=new_org,
            planned_organisation_id=week.planned_organisation_id or week.organisation_id,
            # The new holder has not acknowledged the week yet.
            status=DutyWeek.Status.PLANNED,
            acknowledged_at=None,
            acknowledged_by=None,
            updated_at=now,
        )
    swap = _move_swap(swap, SwapRequest.Status.ACCEPTED, SwapRequest.Status.APPROVED, decided_by=by)
    # .update() sends no save signal: one record for the request and one for each week.
    record_change(by=by, obj=swap, action="approve_swap", before=before_swap)
    for week in (mine, theirs):
        week.refresh_from_db()
        record_change(
            by=by,
            obj=week,
            action="approve_swap",
            before=before_weeks[week.pk],
            extra={"swap": swap.pk},
        )
        queue_delivery(week=week, kind=Delivery.Kind.SWAP_APPROVED, now=now)
    return swap


@transaction.atomic
def cancel_swap(*, swap: SwapRequest, by) -> SwapRequest:
    if not swap.from_organisation.has_contact(by):
        raise Refused(_("Only the requesting organisation can cancel."), code="scope")
    return _move_swap(swap, SwapRequest.Status.REQUESTED, SwapRequest.Status.CANCELLED)


# --- duty reports ---------------------------------------------------------------------------


def file_duty_report(
    *,
    duty_week: DutyWeek,
    by,
    summary: str,
    services_delivered: int,
    participants: int,
    photos: Sequence[CleanPhoto] = (),
) -> DutyReport:
    """The organisation reports its week once it has started; the week becomes done.

    Its contacts file it, or centre staff on its behalf (recorded in the audit trail).

    `photos` come checked and re-encoded from the form (`members.images`). Opens its own
    transaction, whose photo files are removed if it rolls back: never nest it.
    """
    with files_removed_on_rollback() as files:
        week = locks.lock_weeks(duty_week.pk)[duty_week.pk]
        if not (week.organisation.has_contact(by) or by.has_perm("rota.manage_rota")):
            raise Refused(
                _("Only a contact of the organisation can file its report."), code="scope"
            )
        if week.week_start > _today():
            raise Refused(_("A duty report can be filed once the week has started."), code="early")
        if week.status == DutyWeek.Status.MISSED:
            raise Refused(_("This week was recorded as missed."), code="status")
        if DutyReport.objects.filter(duty_week=week).exists():
            raise Refused(_("A report for this week has already been filed."), code="duplicate")
        if not summary.strip():
            raise Refused(_("Describe what was delivered."), code="summary")
        report = DutyReport.objects.create(
            duty_week=week,
            summary=summary.strip(),
            services_delivered=services_delivered,
            participants=participants,
            filed_by=by,
        )
        for photo in photos:
            row = DutyReportPhoto(report=report)
            files.save(row.image, photo.image)
            row.save()
        DutyWeek.objects.filter(pk=week.pk).update(
            status=DutyWeek.Status.DONE, updated_at=timezone.now()
        )
        if not week.organisation.has_contact(by):
            # Centre staff typed in a report the organisation handed in (on paper, say):
            # `filed_by` names them, and the trail says on whose behalf.
            record_event(
                AuditEvent.Kind.ADMIN_CHANGE,
                user=by,
                obj=report,
                details={
                    "action": "file_duty_report_on_behalf",
                    "model": "rota.dutyreport",
                    "organisation": week.organisation_id,
                    "week": week.week_start.isoformat(),
                },
            )
    return report


# --- calendar feeds -------------------------------------------------------------------------


@transaction.atomic
def rotate_feed_token(*, organisation: Organisation) -> Organisation:
    """Give the organisation a new secret feed URL; the old URL stops working at once."""
    organisation.feed_token = Organisation.new_feed_token()
    organisation.save(update_fields=["feed_token"])
    return organisation


@transaction.atomic
def revoke_feed_token(*, organisation: Organisation) -> Organisation:
    organisation.feed_token = None
    organisation.save(update_fields=["feed_token"])
    return organisation


# --- reminders: the outbox ------------------------------------------------------------------


SCAN_BATCH = 1000


@dataclass
class ScanResult:
    created: int = 0
    reclaimed: int = 0
    queued: list[int] = field(default_factory=list)


def _enqueue(ids: list[int]) -> None:
    """Hand rows to Celery; if the broker is down, leave them pending for the next scan."""
    from rota.tasks import send_reminder

    for position, pk in enumerate(ids):
        try:
            send_reminder.delay(pk)
        except Exception as exc:  # kombu/redis raise many types; any means "broker unavailable"
            waiting = ids[position:]
            Delivery.objects.filter(pk__in=waiting, status=Delivery.Status.PENDING).update(
                enqueued_at=None
            )
            logger.warning(
                "rota.enqueue_failed", extra={"waiting": len(waiting), "error": type(exc).__name__}
            )
            return


def queue_delivery(*, week: DutyWeek, kind: str, now: dt.datetime) -> list[Delivery]:
    """Create the outbox rows of one reminder (one per channel) and queue them after commit."""
    people = reminders.recipients(kind, week)
    rows = [
        Delivery(duty_week=week, kind=kind, channel=ch, due_at=now, next_attempt_at=now)
        for ch in reminders.channels_for(people)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Delivery.objects.filter(duty_week=week, kind=kind, status=Delivery.Status.PENDING)
    )
    ids = [d.pk for d in created]
    Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    transaction.on_commit(lambda: _enqueue(ids))
    return created


@transaction.atomic
def scan_due_reminders(*, now: dt.datetime | None = None, enqueue: bool = True) -> ScanResult:
    """Create the outbox rows that fell due by `now` and queue every row ready to send.

    Safe to run at any moment and any number of times, also concurrently: rows are unique
    per (week, kind, channel) and a row is only ever sent by the worker that claims it.
    """
    now = now or timezone.now()
    result = ScanResult()
    weeks = reminders.candidate_weeks(now).annotate(
        has_report=Exists(DutyReport.objects.filter(duty_week=OuterRef("pk")))
    )
    due = [
        (week, kind)
        for week in weeks
        for kind in reminders.due_kinds(week, now, has_report=week.has_report)
    ]
    new_rows = []
    if due:
        existing = set(
            Delivery.objects.filter(duty_week__in={w.pk for w, _ in due}).values_list(
                "duty_week_id", "kind", "channel"
            )
        )
        centre = (
            reminders.centre_contacts()
            if any(kind == Delivery.Kind.UNACKNOWLEDGED for _, kind in due)
            else []
        )
        for week, kind in due:
            at = reminders.due_at(kind, week.week_start)
            for channel in reminders.channels_for(reminders.recipients(kind, week, centre)):
                if (week.pk, kind, channel) not in existing:
                    new_rows.append(
                        Delivery(
                            duty_week=week,
                            kind=kind,
                            channel=channel,
                            due_at=at,
                            next_attempt_at=at,
                        )
                    )
    result.created = len(Delivery.objects.bulk_create(new_rows, ignore_conflicts=True))

    lease = dt.timedelta(seconds=settings.ROTA_SENDING_LEASE_SECONDS)
    result.reclaimed = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease
    ).update(status=Delivery.Status.PENDING, updated_at=now)

    requeue_before = now - dt.timedelta(seconds=settings.ROTA_REQUEUE_AFTER_SECONDS)
    ready = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before))
    # Oldest first, at most a batch per scan: after a long outage the backlog drains over a few
    # minutes instead of one huge statement.
    result.queued = list(
        ready.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SCAN_BATCH]
    )
    if result.queued:
        Delivery.objects.filter(pk__in=result.queued).update(enqueued_at=now)
        if enqueue:
            ids = list(result.queued)
            transaction.on_commit(lambda: _enqueue(ids))
    return result


@transaction.atomic
def retry_failed_deliveries(*, ids: list[int], by=None) -> int:
    """Staff send failed rows again: failed -> pending, queued after commit.

    When staff do it (`by`), each row sent again is in the audit trail.
    """
    now = timezone.now()
    failed = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=ids, status=Delivery.Status.FAILED)
        .order_by("pk")
    )
    rows = [delivery.pk for delivery in failed]
    Delivery.objects.filter(pk__in=rows, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        enqueued_at=now,
        attempts=0,
        updated_at=now,
    )
    if by is not None:
        for delivery in failed:
            before = snapshot(delivery, ["status", "attempts"])
            delivery.refresh_from_db()
            record_change(by=by, obj=delivery, action="retry_failed_deliveries", before=before)
    transaction.on_commit(lambda: _enqueue(rows))
    return len(rows)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.ROTA_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def deliver_reminder(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Send one outbox row if it is still pending; return it, or None if another run owns it.

    Deliberately not one transaction: the claim commits before the network call, so no
    database transaction is held open while a gateway answers, and a second worker that gets
    the same message finds the row claimed and does nothing.
    """
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related(
        "duty_week__organisation__duty_contact", "duty_week__organisation__backup_contact"
    ).get(pk=delivery_id)
    week = delivery.duty_week

    def finish(**fields) -> Delivery:
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            updated_at=timezone.now(), **fields
        )
        delivery.refresh_from_db()
        return delivery

    has_report = DutyReport.objects.filter(duty_week=week).exists()
    if not reminders.still_wanted(delivery.kind, week, now, has_report=has_report):
        return finish(status=Delivery.Status.SKIPPED, last_error="")
    message = reminders.compose(delivery.kind, week)
    people = reminders.recipients(delivery.kind, week)
    key = delivery.idempotency_key
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            count = channels.send_email(
                addresses=[u.email for u in people if u.email],
                subject=message.subject,
                body=message.body,
                key=key,
            )
        elif delivery.channel == Delivery.Channel.SMS:
            count = channels.send_sms(
                numbers=[u.phone for u in people if u.phone], text=message.body, key=key
            )
        elif delivery.channel == Delivery.Channel.WECOM:
            count = channels.send_webhook(url=settings.ROTA_WECOM_WEBHOOK_URL, text=message.body)
        else:
            count = channels.send_webhook(url=settings.ROTA_DINGTALK_WEBHOOK_URL, text=message.body)
    except channels.PermanentError as exc:
        logger.warning(
            "rota.delivery_failed", extra={"delivery": delivery.pk, "channel": delivery.channel}
        )
        return finish(status=Delivery.Status.FAILED, last_error=str(exc)[:1000])
    except Exception as exc:  # transient, or an unexpected error: retry later with backoff
        error = str(exc)[:1000] or type(exc).__name__
        if delivery.attempts >= settings.ROTA_MAX_ATTEMPTS:
            return finish(status=Delivery.Status.FAILED, last_error=error)
        return finish(
            status=Delivery.Status.PENDING,
            last_error=error,
            next_attempt_at=now + _backoff(delivery.attempts),
            enqueued_at=None,
        )
    return finish(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", recipient_count=count
    )


# --- exchange meeting attendance ------------------------------------------------------------


def _renew_attendance_stamp() -> None:
    try:
        cache.incr(queries.ATTENDANCE_STAMP_KEY)
    except ValueError:  # no stamp yet (or it was evicted): start from the clock, never lower
        cache.set(queries.ATTENDANCE_STAMP_KEY, time.time_ns(), timeout=None)


def _attendance_changed() -> None:
    # A new stamp makes every page cached from the old attendance (the yearly ranking)
    # unreachable; rota cannot call the ranking itself (it sits above rota).
    transaction.on_commit(_renew_attendance_stamp)


@transaction.atomic
def record_meeting_attendance(
    *, meeting: ExchangeMeeting, organisations: list[Organisation], by
) -> list[MeetingAttendance]:
    """Record that `organisations` attended `meeting`; return their attendance rows.

    Only once the meeting has taken place. Recording an organisation again changes nothing.
    """
    MeetingAttendance(meeting=meeting).clean()  # the meeting has taken place
    known = set(
        MeetingAttendance.objects.filter(
            meeting=meeting, organisation__in=organisations
        ).values_list("pk", flat=True)
    )
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, organisation=o, recorded_by=by) for o in organisations],
        ignore_conflicts=True,
    )
    _attendance_changed()
    rows = list(
        MeetingAttendance.objects.filter(meeting=meeting, organisation__in=organisations)
        .select_related("meeting", "organisation", "recorded_by")
        .order_by("organisation__name")
    )
    # bulk_create sends no save signal: each row staff add is recorded here (not those known;
    # the demo data, recorded by nobody, is no admin change).
    for row in rows:
        if row.pk not in known and by is not None:
            record_addition(
                by=by,
                obj=row,
                action="record_meeting_attendance",
                fields=("meeting_id", "organisation_id", "recorded_by_id"),
            )
    return rows


@transaction.atomic
def delete_exchange_meetings(*, meetings: QuerySet[ExchangeMeeting]) -> int:
    """Delete exchange meetings with their attendance rows; return how many meetings went.

    The yearly ranking counts them (host and attendance), so its cached pages are renewed.
    """
    count = meetings.count()
    deleted, _by_model = meetings.delete()
    if deleted:
        _attendance_changed()
    return count


def exchange_meeting_changed(*, meeting: ExchangeMeeting) -> None:
    """A meeting was added or edited (date, host): renew the pages cached from attendance."""
    _attendance_changed()


@transaction.atomic
def delete_meeting_attendance(*, attendances: QuerySet[MeetingAttendance]) -> int:
    """Delete mistaken attendance rows (a row is never edited); return how many went."""
    deleted, _by_model = attendances.delete()
    if deleted:
        _attendance_changed()
    return deleted
