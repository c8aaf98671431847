"""Swaps of two duty weeks: requested by one organisation, accepted or declined by the other,
approved or rejected by centre staff, or cancelled by the requester."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit_changes import record_change, snapshot
from members.refusals import STALE, Refused
from members.transitions import transition
from rota import locks, reminders
from rota.actions.checks import check_manager
from rota.actions.duty_weeks import hand_over
from rota.actions.reminders import tell
from rota.models import DutyWeek, Reminder, SwapRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from members.models import User


def _check_swappable(week: DutyWeek) -> None:
    if week.week_start <= timezone.localdate():
        raise Refused(
            _("The week of %(date)s has already started or is past.")
            % {"date": reminders.long_date(week.week_start)},
            code="past",
        )
    if week.status not in (DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED):
        raise Refused(_("Only planned or confirmed weeks can be swapped."), code=STALE)
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
def request_swap(
    *, from_week: DutyWeek, to_week: DutyWeek, by: User, reason: str = ""
) -> SwapRequest:
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


def _move_swap(swap: SwapRequest, old: str, new: str, **fields: Any) -> SwapRequest:
    """One step of a swap request; repeating a step that was taken changes nothing."""
    transition(swap, allowed=[old], to=new, repeat_ok=True, refusal=SWAP_STALE, **fields)
    return swap


# What someone who is no contact of the other organisation is told, by the answer tried.
_ANSWER_REFUSALS: dict[str, StrOrPromise] = {
    SwapRequest.Status.ACCEPTED: gettext_lazy(
        "Only a contact of the other organisation can accept."
    ),
    SwapRequest.Status.DECLINED: gettext_lazy(
        "Only a contact of the other organisation can decline."
    ),
}


def _answer_swap(swap: SwapRequest, by: User, to: str) -> SwapRequest:
    """The other organisation answers a request: only its contacts may."""
    if not swap.to_organisation.has_contact(by):
        raise Refused(_ANSWER_REFUSALS[to], code="scope")
    return _move_swap(swap, SwapRequest.Status.REQUESTED, to, answered_by=by)


@transaction.atomic
def accept_swap(*, swap: SwapRequest, by: User) -> SwapRequest:
    """The other organisation's contact agrees: requested -> accepted."""
    return _answer_swap(swap, by, SwapRequest.Status.ACCEPTED)


@transaction.atomic
def decline_swap(*, swap: SwapRequest, by: User) -> SwapRequest:
    """The other organisation's contact refuses: requested -> declined."""
    return _answer_swap(swap, by, SwapRequest.Status.DECLINED)


@transaction.atomic
def reject_swap(*, swap: SwapRequest, by: User) -> SwapRequest:
    """Centre staff refuse an accepted (or still requested) swap."""
    check_manager(by)
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
def approve_swap(*, swap: SwapRequest, by: User) -> SwapRequest:
    """Centre staff approve an accepted swap: the two weeks change hands and both are told."""
    check_manager(by)
    swap = locks.lock_swap(swap.pk)
    if swap.status == SwapRequest.Status.APPROVED:
        return swap
    if swap.status != SwapRequest.Status.ACCEPTED:
        raise Refused(
            _("Only a swap accepted by the other organisation can be approved."), code=STALE
        )
    weeks = locks.lock_weeks(swap.from_week_id, swap.to_week_id)
    mine, theirs = weeks[swap.from_week_id], weeks[swap.to_week_id]
    for week in (mine, theirs):
        if week.week_start <= timezone.localdate():
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
        hand_over(week, to=new_org, now=now)
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
        tell(
            week=week,
            kind=Reminder.Kind.SWAP_APPROVED,
            event=f"rota.swap_approved:{swap.pk}:{week.pk}",
        )
    return swap


@transaction.atomic
def cancel_swap(*, swap: SwapRequest, by: User) -> SwapRequest:
    """The requesting organisation withdraws its request: requested -> cancelled."""
    if not swap.from_organisation.has_contact(by):
        raise Refused(_("Only the requesting organisation can cancel."), code="scope")
    return _move_swap(swap, SwapRequest.Status.REQUESTED, SwapRequest.Status.CANCELLED)
