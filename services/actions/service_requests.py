"""Service requests: 点单 → 派单 → 接单 → 办结 → 评单, overdue flags and the notices.

State transitions are conditional UPDATEs on the expected old status (`members.transitions`),
so two concurrent clicks move a request once.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit_changes import record_change
from members.notices.actions import notify
from members.refusals import Refused
from members.transitions import claim_once, transition
from rota.models import Organisation
from services.actions.checks import require_contact_or_staff
from services.actions.records import create_record
from services.models import RequestEvent, Service, ServiceRequest
from services.notices import REQUEST_STEP
from services.querysets import sees_every_organisation

if TYPE_CHECKING:
    from members.models import Enterprise, User

logger = logging.getLogger(__name__)


Status = ServiceRequest.Status


def _log_step(request: ServiceRequest, kind: str, by: User | None, note: str = "") -> RequestEvent:
    """Record a step of the request and write its notices in the same transaction."""
    event = RequestEvent.objects.create(request=request, kind=kind, by=by, note=note)
    _notify_step(event)
    return event


# Steps centre staff hear of (the others concern only the requester and the organisation).
STAFF_HEAR_OF = {
    RequestEvent.Kind.REQUESTED,
    RequestEvent.Kind.DECLINED,
    RequestEvent.Kind.OVERDUE,
    RequestEvent.Kind.RATED,
}


def _notify_step(event: RequestEvent) -> None:
    """Tell the requester, the organisation's contacts and (for some steps) the centre staff.

    Nobody hears of their own step; the notice links to the request's page.
    """
    from django.contrib.auth import get_user_model

    request = event.request
    people: list[User | None] = [request.requester]
    # Read afresh (not through request.organisation): the contacts as they are now, and the
    # caller's request keeps no organisation cached by a notice.
    organisation = (
        Organisation.objects.select_related("duty_contact", "backup_contact")
        .filter(pk=request.organisation_id)
        .first()
        if request.organisation_id is not None
        else None
    )
    if organisation is not None and event.kind != RequestEvent.Kind.REQUESTED:
        people += [organisation.duty_contact, organisation.backup_contact]
    if event.kind in STAFF_HEAR_OF:
        # Centre staff only: contacts and operators also have admin access (is_staff).
        people += list(get_user_model().objects.staff_holding("services.change_service"))
    notify(
        kind=REQUEST_STEP,
        to=people,
        event=f"services.request_event:{event.pk}",
        exclude=event.by,
        link=reverse("services:request_detail", args=[request.pk]),
        context={
            "number": request.pk,
            # Lazy labels: each recipient reads them in their own language.
            "step": RequestEvent.Kind(event.kind).label,
            "service": str(request.service),
            "status": Status(request.status).label,
            "organisation": str(organisation) if organisation else "",
            "note": event.note,
        },
    )


# Why a step on a request was refused (`%(status)s`: the state it is in now).
REQUEST_STALE = gettext_lazy("This request is now “%(status)s”; the step no longer applies.")


# The lifecycle: the statuses each step may leave from, by the status it goes to. A step's
# event (the request's timeline, the notices) is named like the status it goes to.
LEAVES_FROM: dict[str, list[str]] = {
    Status.DISPATCHED: [Status.REQUESTED, Status.DECLINED],
    Status.ACCEPTED: [Status.DISPATCHED],
    Status.DECLINED: [Status.DISPATCHED],
    Status.COMPLETED: [Status.ACCEPTED],
    Status.WITHDRAWN: [Status.REQUESTED, Status.DISPATCHED, Status.DECLINED],
}


def _move(request: ServiceRequest, to: str, **changes: Any) -> None:
    """Move the request to `to` if it is still in a status that step leaves from."""
    transition(request, allowed=LEAVES_FROM[to], to=to, refusal=REQUEST_STALE, **changes)


def _step(
    request: ServiceRequest, to: str, *, by: User, note: str = "", **changes: Any
) -> ServiceRequest:
    """Move the request to `to` and record the step (its notices go out after commit)."""
    _move(request, to, **changes)
    _log_step(request, RequestEvent.Kind(to), by, note=note)
    return request


@transaction.atomic
def request_service(
    *, service: Service, requester: User, details: str, enterprise: Enterprise | None = None
) -> ServiceRequest:
    """点单: a logged-in member or enterprise contact asks for a service."""
    if not service.is_active:
        raise Refused(_("This service is not offered at the moment."), code="inactive")
    details = details.strip()
    if not details:
        raise Refused(_("Please say what you need."), code="required")
    request = ServiceRequest.objects.create(
        service=service, requester=requester, details=details, enterprise=enterprise
    )
    _log_step(request, RequestEvent.Kind.REQUESTED, requester)
    return request


@transaction.atomic
def dispatch_request(
    *, request: ServiceRequest, organisation: Organisation, by: User
) -> ServiceRequest:
    """派单: staff send a new (or declined) request to an organisation providing the service."""
    if not sees_every_organisation(by):
        raise Refused(_("Only centre staff dispatch requests."), code="forbidden")
    if (
        not organisation.is_active
        or not request.service.providers.filter(pk=organisation.pk).exists()
    ):
        raise Refused(
            _("%(organisation)s does not provide “%(service)s”.")
            % {"organisation": organisation, "service": request.service},
            code="not_provider",
        )
    return _step(
        request,
        Status.DISPATCHED,
        by=by,
        note=str(organisation),
        organisation=organisation,
        dispatched_at=timezone.now(),
        answered_at=None,
        decline_reason="",
        overdue_flagged_at=None,
    )


@transaction.atomic
def accept_request(*, request: ServiceRequest, by: User) -> ServiceRequest:
    """接单: the organisation's contact takes the request on."""
    require_contact_or_staff(by, request.organisation)
    return _step(request, Status.ACCEPTED, by=by, answered_at=timezone.now())


@transaction.atomic
def decline_request(*, request: ServiceRequest, by: User, reason: str) -> ServiceRequest:
    """The organisation's contact declines, with a reason; staff may dispatch it elsewhere."""
    require_contact_or_staff(by, request.organisation)
    reason = reason.strip()
    if not reason:
        raise Refused(_("Please give a reason for declining."), code="reason_required")
    return _step(
        request,
        Status.DECLINED,
        by=by,
        note=reason,
        answered_at=timezone.now(),
        decline_reason=reason,
        overdue_flagged_at=None,
    )


@transaction.atomic
def complete_request(
    *, request: ServiceRequest, by: User, people_served: int = 1, notes: str = ""
) -> ServiceRequest:
    """办结: the organisation reports the service done; this creates its service record."""
    require_contact_or_staff(by, request.organisation)
    now = timezone.now()
    _move(request, Status.COMPLETED, completed_at=now)
    create_record(
        service=request.service,
        # An accepted request was dispatched to an organisation (`dispatch_request`).
        organisation=cast(Organisation, request.organisation),
        delivered_on=timezone.localdate(now),
        people_served=people_served,
        notes=notes,
        by=by,
        request=request,
    )
    _log_step(request, RequestEvent.Kind.COMPLETED, by)
    return request


@transaction.atomic
def rate_request(
    *, request: ServiceRequest, by: User, rating: int, comment: str = ""
) -> ServiceRequest:
    """评单: the requester rates a completed request once, 1 to 5."""
    if by.pk != request.requester_id:
        raise Refused(_("Only the requester can rate this request."), code="forbidden")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Refused(_("Choose a rating from 1 to 5."), code="rating_range")
    if request.status != Status.COMPLETED:
        raise Refused(_("A request can be rated only after it is completed."), code="not_completed")
    now = timezone.now()
    rated = ServiceRequest.objects.filter(
        pk=request.pk, status=Status.COMPLETED, rating__isnull=True
    ).update(rating=rating, rating_comment=comment.strip(), rated_at=now, updated_at=now)
    if not rated:
        raise Refused(_("This request has already been rated."), code="already_rated")
    request.refresh_from_db()
    _log_step(request, RequestEvent.Kind.RATED, by, note=str(rating))
    return request


@transaction.atomic
def withdraw_request(*, request: ServiceRequest, by: User) -> ServiceRequest:
    """The requester withdraws a request nobody has accepted yet."""
    if by.pk != request.requester_id:
        raise Refused(_("Only the requester can withdraw this request."), code="forbidden")
    return _step(request, Status.WITHDRAWN, by=by)


@transaction.atomic
def flag_overdue_requests(*, now: datetime.datetime | None = None) -> int:
    """Flag each unanswered request once (staff and the organisation are told); return how many."""
    now = now or timezone.now()
    flagged = 0
    for request in ServiceRequest.objects.overdue(now).filter(overdue_flagged_at__isnull=True):
        # The conditional update claims the request: a second scan (or a parallel one) skips it.
        if claim_once(ServiceRequest, request.pk, "overdue_flagged_at", at=now):
            request.overdue_flagged_at = now
            # .update() sends no save signal: staff flagging in the admin is recorded here.
            record_change(
                by=None,
                obj=request,
                action="flag_overdue_requests",
                before={"overdue_flagged_at": None},
                admin_pages_only=True,
            )
            _log_step(request, RequestEvent.Kind.OVERDUE, None)
            flagged += 1
    return flagged
