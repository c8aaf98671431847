"""Check-in at activities: the rotating QR code and the organiser's attendance list.

Lock order: the points account is locked inside `points.actions.award`, after the rows here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.refusals import Refused
from points.actions import award, bulk_award
from points.models import Account
from services.actions.checks import require_contact_or_staff
from services.models import Activity, Attendance

if TYPE_CHECKING:
    from members.models import User

# Members may scan the code from half an hour before the start until half an hour after the end.
CHECKIN_MARGIN = timedelta(minutes=30)
_CHECKIN_SALT = "services.activity-checkin"


def _window(at: float) -> int:
    seconds: int = settings.SERVICES_CHECKIN_ROTATE_SECONDS
    return int(at) // seconds


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


def _create_attendance(
    *, activity: Activity, member: Member, method: str, by: User | None
) -> Attendance:
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
def tick_attendance(*, activity: Activity, members: Iterable[Member], by: User) -> list[Attendance]:
    """The organiser ticks members present from the sign-up list; each is awarded once."""
    require_contact_or_staff(by, activity.organisation)
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
