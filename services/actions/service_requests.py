"""Service requests: 点单 → 派单 → 接单 → 办结 → 评单, overdue flags and the e-mail notices.

State transitions are conditional UPDATEs on the expected old status (`members.transitions`),
so two concurrent clicks move a request once.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit_changes import record_change
from members.refusals import Refused
from members.transitions import claim_once, transition
from rota.models import Organisation
from services.actions.checks import require_contact_or_staff
from services.actions.records import create_record
from services.models import RequestEvent, Service, ServiceRequest
from services.querysets import sees_every_organisation

if TYPE_CHECKING:
    from members.models import Enterprise, User

logger = logging.getLogger(__name__)


Status = ServiceRequest.Status


def _log_step(request: ServiceRequest, kind: str, by: User | None, note: str = "") -> RequestEvent:
    """Record a step of the request and send its notices once the transaction commits."""
    event = RequestEvent.objects.create(request=request, kind=kind, by=by, note=note)
    from services import tasks  # the task module imports this one

    transaction.on_commit(lambda: tasks.send_request_notice.delay(event.pk))
    return event


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


def send_request_notice(*, event_id: int) -> int:
    """E-mail everyone involved in one request step; return the number of messages sent.

    The event row is claimed with a conditional update first, so a notice task delivered twice
    sends once (at most once: a mail server failure after the claim is logged, not retried).
    """
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mass_mail
    from django.utils import translation

    event = (
        RequestEvent.objects.select_related(
            "request__service",
            "request__requester",
            "request__organisation__duty_contact",
            "request__organisation__backup_contact",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    if not claim_once(RequestEvent, event_id, "notified_at"):
        return 0
    request = event.request
    recipients = {request.requester}
    organisation = request.organisation
    if organisation is not None and event.kind != RequestEvent.Kind.REQUESTED:
        recipients |= {u for u in (organisation.duty_contact, organisation.backup_contact) if u}
    if event.kind in (
        RequestEvent.Kind.REQUESTED,
        RequestEvent.Kind.DECLINED,
        RequestEvent.Kind.OVERDUE,
        RequestEvent.Kind.RATED,
    ):
        # Centre staff only: contacts and operators also have admin access (is_staff).
        recipients |= set(get_user_model().objects.staff_holding("services.change_service"))
    addresses = sorted({u.email for u in recipients if u.email and u != event.by})
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Service request #%(number)s: %(step)s") % {
            "number": request.pk,
            "step": event.get_kind_display(),
        }
        body = _(
            "Service: %(service)s\nStatus: %(status)s\nDispatched to: %(organisation)s\n"
            "%(note)s\nDetails: /services/requests/%(number)s/"
        ) % {
            "service": request.service,
            "status": request.get_status_display(),
            "organisation": organisation or "-",
            "note": event.note,
            "number": request.pk,
        }
    messages = [(subject, body, None, [address]) for address in addresses]
    try:
        sent = send_mass_mail(messages, fail_silently=False)
    except Exception:
        logger.exception("services.request_notice_failed", extra={"event_id": event_id})
        return 0
    logger.info("services.request_notice_sent", extra={"event_id": event_id, "count": sent})
    return sent
