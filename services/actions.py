"""Use cases of the services app: the only writers of its rows.

Every action is keyword-only, atomic, returns the changed object and raises `Refused`
(with a code and a message in the user's language) when a rule refuses, changing nothing.
State transitions are conditional UPDATEs on the expected old status, so two concurrent
clicks move a request once.

Lock order (one place): an activity row first (`select_for_update`), then the points
account the points app locks inside `award`. Nothing here locks in another order.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit_changes import record_change, snapshot
from members.images import CleanPhoto, files_removed_on_rollback
from members.models import Member
from members.refusals import Refused
from members.transitions import transition
from points.actions import award, bulk_award
from points.models import Account
from rota.models import DutyWeek, Organisation
from services.models import (
    Activity,
    Attendance,
    Category,
    RecordPhoto,
    RequestEvent,
    Service,
    ServiceRecord,
    ServiceRequest,
    SignUp,
)
from services.querysets import sees_every_organisation

logger = logging.getLogger(__name__)

Status = ServiceRequest.Status

# Members may scan the code from half an hour before the start until half an hour after the end.
CHECKIN_MARGIN = timedelta(minutes=30)
_CHECKIN_SALT = "services.activity-checkin"


# --- who may do what --------------------------------------------------------------------------


# The service list's six categories (names are data, in Chinese). Migration 0003 seeds them;
# this restores any that are missing, e.g. in a database emptied by hand.
SERVICE_LIST_CATEGORIES = [
    ("party_building", "党建指导"),
    ("party_affairs", "党务办理"),
    ("education", "教育管理"),
    ("entrepreneurship", "创业服务"),
    ("talent", "人才联络"),
    ("volunteer", "志愿帮扶"),
]


@transaction.atomic
def ensure_categories() -> int:
    """Create the six service-list categories that are missing; return how many were created."""
    created = 0
    for position, (code, name) in enumerate(SERVICE_LIST_CATEGORIES, start=1):
        _category, made = Category.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        created += made
    return created


def _speaks_for(user, organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.has_contact(user)


def _require_contact_or_staff(user, organisation: Organisation | None) -> None:
    if not (sees_every_organisation(user) or _speaks_for(user, organisation)):
        raise Refused(
            _("Only the organisation's contacts or centre staff may do this."), code="forbidden"
        )


def _log_step(request: ServiceRequest, kind: str, by, note: str = "") -> RequestEvent:
    """Record a step of the request and send its notices once the transaction commits."""
    event = RequestEvent.objects.create(request=request, kind=kind, by=by, note=note)
    from services import tasks  # the task module imports this one

    transaction.on_commit(lambda: tasks.send_request_notice.delay(event.pk))
    return event


# Why a step on a request was refused (`%(status)s`: the state it is in now).
REQUEST_STALE = gettext_lazy("This request is now “%(status)s”; the step no longer applies.")


# --- service requests: 点单 → 派单 → 接单 → 办结 → 评单 -------------------------------------------


@transaction.atomic
def request_service(
    *, service: Service, requester, details: str, enterprise=None
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
def dispatch_request(*, request: ServiceRequest, organisation: Organisation, by) -> ServiceRequest:
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
    now = timezone.now()
    transition(
        request,
        allowed=[Status.REQUESTED, Status.DECLINED],
        to=Status.DISPATCHED,
        refusal=REQUEST_STALE,
        organisation=organisation,
        dispatched_at=now,
        answered_at=None,
        decline_reason="",
        overdue_flagged_at=None,
    )
    _log_step(request, RequestEvent.Kind.DISPATCHED, by, note=str(organisation))
    return request


@transaction.atomic
def accept_request(*, request: ServiceRequest, by) -> ServiceRequest:
    """接单: the organisation's contact takes the request on."""
    _require_contact_or_staff(by, request.organisation)
    transition(
        request,
        allowed=[Status.DISPATCHED],
        to=Status.ACCEPTED,
        refusal=REQUEST_STALE,
        answered_at=timezone.now(),
    )
    _log_step(request, RequestEvent.Kind.ACCEPTED, by)
    return request


@transaction.atomic
def decline_request(*, request: ServiceRequest, by, reason: str) -> ServiceRequest:
    """The organisation's contact declines, with a reason; staff may dispatch it elsewhere."""
    _require_contact_or_staff(by, request.organisation)
    reason = reason.strip()
    if not reason:
        raise Refused(_("Please give a reason for declining."), code="reason_required")
    transition(
        request,
        allowed=[Status.DISPATCHED],
        to=Status.DECLINED,
        refusal=REQUEST_STALE,
        answered_at=timezone.now(),
        decline_reason=reason,
        overdue_flagged_at=None,
    )
    _log_step(request, RequestEvent.Kind.DECLINED, by, note=reason)
    return request


@transaction.atomic
def complete_request(
    *, request: ServiceRequest, by, people_served: int = 1, notes: str = ""
) -> ServiceRequest:
    """办结: the organisation reports the service done; this creates its service record."""
    _require_contact_or_staff(by, request.organisation)
    now = timezone.now()
    transition(
        request,
        allowed=[Status.ACCEPTED],
        to=Status.COMPLETED,
        refusal=REQUEST_STALE,
        completed_at=now,
    )
    _create_record(
        service=request.service,
        organisation=request.organisation,
        delivered_on=timezone.localdate(now),
        people_served=people_served,
        notes=notes,
        by=by,
        request=request,
    )
    _log_step(request, RequestEvent.Kind.COMPLETED, by)
    return request


@transaction.atomic
def rate_request(*, request: ServiceRequest, by, rating: int, comment: str = "") -> ServiceRequest:
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
def withdraw_request(*, request: ServiceRequest, by) -> ServiceRequest:
    """The requester withdraws a request nobody has accepted yet."""
    if by.pk != request.requester_id:
        raise Refused(_("Only the requester can withdraw this request."), code="forbidden")
    transition(
        request,
        allowed=[Status.REQUESTED, Status.DISPATCHED, Status.DECLINED],
        to=Status.WITHDRAWN,
        refusal=REQUEST_STALE,
    )
    _log_step(request, RequestEvent.Kind.WITHDRAWN, by)
    return request


@transaction.atomic
def flag_overdue_requests(*, now: datetime.datetime | None = None) -> int:
    """Flag each unanswered request once (staff and the organisation are told); return how many."""
    now = now or timezone.now()
    flagged = 0
    for request in ServiceRequest.objects.overdue(now).filter(overdue_flagged_at__isnull=True):
        # The conditional update claims the request: a second scan (or a parallel one) skips it.
        if ServiceRequest.objects.filter(pk=request.pk, overdue_flagged_at__isnull=True).update(
            overdue_flagged_at=now
        ):
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
    if not RequestEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    ):
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
        recipients |= set(
            get_user_model()
            .objects.with_perm(
                "services.change_service",
                include_superusers=True,
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .filter(is_staff=True, is_active=True)
        )
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


# --- service records --------------------------------------------------------------------------


def duty_week_for(day: datetime.date) -> DutyWeek | None:
    """The duty week (Monday to Sunday) containing `day`, if one was held."""
    return DutyWeek.objects.containing(day)


def record_service(
    *,
    service: Service,
    organisation: Organisation,
    delivered_on: datetime.date,
    people_served: int,
    by,
    notes: str = "",
    photos: Sequence[CleanPhoto] = (),
) -> ServiceRecord:
    """Record a delivered service; it counts in "services delivered" and the ranking.

    `photos` come checked and re-encoded from the form (`members.images`). Opens its own
    transaction, whose photo files are removed if it rolls back: never nest it.
    """
    with files_removed_on_rollback() as files:
        record = _create_record(
            service=service,
            organisation=organisation,
            delivered_on=delivered_on,
            people_served=people_served,
            by=by,
            notes=notes,
        )
        for photo in photos:
            row = RecordPhoto(record=record)
            files.save(row.image, photo.image)
            row.save()
    return record


def _create_record(
    *,
    service: Service,
    organisation: Organisation,
    delivered_on: datetime.date,
    people_served: int,
    by,
    notes: str = "",
    request: ServiceRequest | None = None,
) -> ServiceRecord:
    """Check and save a record, without photos, in the caller's transaction."""
    check_record(
        service=service,
        organisation=organisation,
        delivered_on=delivered_on,
        people_served=people_served,
        by=by,
        request=request,
    )
    return ServiceRecord.objects.create(
        service=service,
        organisation=organisation,
        delivered_on=delivered_on,
        duty_week=duty_week_for(delivered_on),
        people_served=people_served,
        notes=notes.strip(),
        request=request,
        recorded_by=by,
    )


def check_record(
    *,
    service: Service,
    organisation: Organisation,
    delivered_on: datetime.date,
    people_served: int,
    by,
    request: ServiceRequest | None = None,
) -> None:
    """The rules every record keeps, wherever it comes from (the form, a completed request,
    the staff's spreadsheet import). Raises `Refused` whose code names the rule:
    forbidden, not_provider, future or people."""
    if by is not None and not sees_every_organisation(by) and not organisation.has_contact(by):
        raise Refused(
            _("Only the organisation's contacts or centre staff may record its services."),
            code="forbidden",
        )
    # A completed request was checked when it was dispatched; the provider list may change since.
    if request is None and not service.providers.filter(pk=organisation.pk).exists():
        raise Refused(
            _("%(organisation)s does not provide “%(service)s”.")
            % {"organisation": organisation, "service": service},
            code="not_provider",
        )
    if delivered_on > timezone.localdate():
        raise Refused(_("A service cannot be recorded before it happens."), code="future")
    if people_served < 1:
        raise Refused(_("At least one person must have been served."), code="people")


# --- activities: sign-up and waiting list --------------------------------------------------------


def _lock_activity(activity: Activity) -> Activity:
    """Lock the activity row: every sign-up change of one activity queues here."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _fill_places(activity: Activity) -> list[SignUp]:
    """Move the earliest waiting sign-ups up while places are free (activity row locked)."""
    free = activity.capacity - activity.signups.confirmed().count()
    promoted = []
    if free <= 0:
        return promoted
    now = timezone.now()
    for signup in activity.signups.waiting().order_by("created_at", "pk")[:free]:
        before = snapshot(signup, ["status", "promoted_at"])
        # No refusal: a sign-up cancelled meanwhile is simply not promoted.
        if transition(
            signup,
            allowed=[SignUp.Status.WAITING],
            to=SignUp.Status.CONFIRMED,
            promoted_at=now,
            updated_at=now,
        ):
            # .update() sends no save signal: places staff fill in the admin are recorded here.
            record_change(
                by=None,
                obj=signup,
                action="promote_waiting",
                before=before,
                admin_pages_only=True,
            )
            promoted.append(signup)
    for signup in promoted:
        from services import tasks

        transaction.on_commit(lambda pk=signup.pk: tasks.send_promotion_notice.delay(pk))
    return promoted


def send_promotion_notice(*, signup_id: int) -> int:
    """E-mail a member who moved up from the waiting list; sends once per promotion."""
    from django.core.mail import send_mail
    from django.utils import translation

    signup = (
        SignUp.objects.select_related("activity", "member__user")
        .filter(pk=signup_id, status=SignUp.Status.CONFIRMED, promoted_at__isnull=False)
        .first()
    )
    if signup is None:
        return 0
    if not SignUp.objects.filter(pk=signup_id, promotion_notified_at__isnull=True).update(
        promotion_notified_at=timezone.now()
    ):
        return 0
    address = signup.member.email or (signup.member.user.email if signup.member.user else "")
    if not address:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You have a place at “%(activity)s”") % {"activity": signup.activity.title}
        body = _(
            "A place became free and you moved up from the waiting list.\n"
            "Activity: %(activity)s\nStarts: %(starts)s\nVenue: %(venue)s\n"
            "Details: /activities/%(number)s/"
        ) % {
            "activity": signup.activity.title,
            "starts": timezone.localtime(signup.activity.starts_at).strftime("%Y-%m-%d %H:%M"),
            "venue": signup.activity.venue,
            "number": signup.activity_id,
        }
    try:
        return send_mail(subject, body, None, [address])
    except Exception:
        logger.exception("services.promotion_notice_failed", extra={"signup_id": signup_id})
        return 0


@transaction.atomic
def sign_up(*, activity: Activity, member: Member) -> SignUp:
    """Take a place, or a place on the waiting list when the activity is full."""
    activity = _lock_activity(activity)
    now = timezone.now()
    if not activity.is_published:
        raise Refused(_("This activity is not open for sign-up."), code="unpublished")
    if now > activity.signup_deadline:
        raise Refused(
            _("Sign-up for this activity closed at %(deadline)s.")
            % {"deadline": timezone.localtime(activity.signup_deadline).strftime("%Y-%m-%d %H:%M")},
            code="deadline",
        )
    if activity.signups.active().filter(member=member).exists():
        raise Refused(_("You have already signed up for this activity."), code="twice")
    full = activity.signups.confirmed().count() >= activity.capacity
    status = SignUp.Status.WAITING if full else SignUp.Status.CONFIRMED
    try:
        with transaction.atomic():
            return SignUp.objects.create(activity=activity, member=member, status=status)
    except IntegrityError:  # the partial unique constraint: a double submit raced us
        raise Refused(_("You have already signed up for this activity."), code="twice") from None


@transaction.atomic
def cancel_sign_up(*, signup: SignUp, by) -> SignUp:
    """Give up a place (or a waiting-list place); the first on the waiting list moves up."""
    activity = _lock_activity(signup.activity)
    if not (
        sees_every_organisation(by) or (signup.member.user_id and signup.member.user_id == by.pk)
    ):
        raise Refused(_("You can only cancel your own sign-up."), code="forbidden")
    if timezone.now() >= activity.starts_at:
        raise Refused(
            _("The activity has started; sign-ups can no longer be cancelled."), code="started"
        )
    now = timezone.now()
    signup.refresh_from_db(fields=["status", "cancelled_at"])
    before = snapshot(signup, ["status", "cancelled_at"])
    transition(
        signup,
        allowed=[SignUp.Status.CONFIRMED, SignUp.Status.WAITING],
        to=SignUp.Status.CANCELLED,
        refusal=_("This sign-up is already cancelled."),
        cancelled_at=now,
        updated_at=now,
    )
    # .update() sends no save signal: staff cancelling in the admin is recorded here.
    record_change(by=by, obj=signup, action="cancel_sign_up", before=before, admin_pages_only=True)
    _fill_places(activity)
    return signup


@transaction.atomic
def promote_waiting(*, activity: Activity) -> list[SignUp]:
    """Fill places freed by a larger capacity from the waiting list, in sign-up order."""
    return _fill_places(_lock_activity(activity))


# --- check-in ----------------------------------------------------------------------------------


def _window(at: float) -> int:
    return int(at) // settings.SERVICES_CHECKIN_ROTATE_SECONDS


def checkin_token(*, activity: Activity) -> str:
    """The current rotating check-in token of an activity (signed activity id + time window)."""
    signer = TimestampSigner(salt=_CHECKIN_SALT)
    return signer.sign(f"{activity.pk}.{_window(timezone.now().timestamp())}")


def verify_checkin_token(*, token: str, activity: Activity) -> None:
    """Raise `Refused` unless `token` is a genuine, unexpired token of this activity."""
    signer = TimestampSigner(salt=_CHECKIN_SALT)
    try:
        value = signer.unsign(token or "", max_age=settings.SERVICES_CHECKIN_MAX_AGE_SECONDS)
    except SignatureExpired:
        raise Refused(
            _("This check-in code has expired. Scan the code shown at the venue again."),
            code="expired",
        ) from None
    except BadSignature:
        raise Refused(_("This check-in code is not valid."), code="forged") from None
    activity_id, _sep, window = value.partition(".")
    if activity_id != str(activity.pk):
        raise Refused(_("This check-in code belongs to another activity."), code="other_activity")
    if not window.isdigit() or int(window) > _window(timezone.now().timestamp()):
        raise Refused(_("This check-in code is not valid."), code="forged")


def _create_attendance(*, activity: Activity, member: Member, method: str, by) -> Attendance:
    """Create the attendance, or return the existing one with `was_created` False.

    The unique (activity, member) constraint decides a race: on PostgreSQL the second insert
    waits for the first transaction and then fails, so only the first goes on to award. The
    award's source is unique per activity and member as a second guard inside the ledger.
    """
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                activity=activity, member=member, method=method, checked_in_by=by
            )
    except IntegrityError:
        attendance = Attendance.objects.get(activity=activity, member=member)
        attendance.was_created = False
        return attendance
    attendance.was_created = True
    return attendance


def _award_reason(activity: Activity) -> str:
    return _("Attended “%(activity)s”") % {"activity": activity.title[:150]}


@transaction.atomic
def check_in(*, activity: Activity, member: Member, token: str) -> Attendance:
    """A member checks in with the code scanned at the venue; awards the points once."""
    verify_checkin_token(token=token, activity=activity)
    now = timezone.now()
    if not (activity.starts_at - CHECKIN_MARGIN <= now <= activity.ends_at + CHECKIN_MARGIN):
        raise Refused(_("Check-in is open only while the activity takes place."), code="not_now")
    if not activity.signups.confirmed().filter(member=member).exists():
        raise Refused(
            _("You have no confirmed place at this activity, so you cannot check in."),
            code="not_signed_up",
        )
    attendance = _create_attendance(
        activity=activity, member=member, method=Attendance.Method.QR, by=None
    )
    if attendance.was_created and activity.points:
        entry = award(
            member=member,
            amount=activity.points,
            reason=_award_reason(activity),
            source=f"activity:{activity.pk}:member:{member.pk}",
        )
        # None: the member's monthly cap is used up; the attendance still counts.
        if entry is not None:
            attendance.points_awarded = entry.amount
            attendance.save(update_fields=["points_awarded"])
    return attendance


@transaction.atomic
def tick_attendance(*, activity: Activity, members: Iterable[Member], by) -> list[Attendance]:
    """The organiser ticks members present from the sign-up list; each is awarded once."""
    _require_contact_or_staff(by, activity.organisation)
    if timezone.now() < activity.starts_at - CHECKIN_MARGIN:
        raise Refused(_("Attendance can be recorded once the activity starts."), code="not_started")
    members = list(members)
    signed = set(
        activity.signups.active()
        .filter(member__in=[m.pk for m in members])
        .values_list("member_id", flat=True)
    )
    strangers = [m for m in members if m.pk not in signed]
    if strangers:
        raise Refused(
            _("%(names)s did not sign up for this activity.")
            % {"names": "、".join(m.name for m in strangers)},
            code="not_signed_up",
        )
    attendances = [
        _create_attendance(activity=activity, member=m, method=Attendance.Method.LIST, by=by)
        for m in sorted(members, key=lambda m: m.pk)
    ]
    new = [a for a in attendances if a.was_created]
    if new and activity.points:
        # One call for the whole list; sources are f"activity:{pk}:member:{member_pk}",
        # the same as a QR check-in's, so one attendance can never be paid twice.
        entries = bulk_award(
            members=[a.member for a in new],
            amount=activity.points,
            reason=_award_reason(activity),
            source_prefix=f"activity:{activity.pk}",
            by=by,
        )
        member_of = dict(
            Account.objects.filter(pk__in=[e.account_id for e in entries]).values_list(
                "pk", "member_id"
            )
        )
        by_member = {member_of[e.account_id]: e for e in entries}
        for attendance in new:
            entry = by_member.get(attendance.member_id)
            if entry is not None:
                attendance.points_awarded = entry.amount
                attendance.save(update_fields=["points_awarded"])
    return attendances
