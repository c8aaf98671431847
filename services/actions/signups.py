"""Activity sign-ups and the waiting list.

Lock order (one place): the activity row first (`select_for_update`), then the sign-ups.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit_changes import record_change, snapshot
from members.models import Member
from members.refusals import Refused
from members.transitions import claim_once, transition
from services.models import Activity, SignUp
from services.querysets import sees_every_organisation

if TYPE_CHECKING:
    from members.models import User

logger = logging.getLogger(__name__)


def _lock_activity(activity: Activity) -> Activity:
    """Lock the activity row: every sign-up change of one activity queues here."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _fill_places(activity: Activity) -> list[SignUp]:
    """Move the earliest waiting sign-ups up while places are free (activity row locked)."""
    free = activity.capacity - activity.signups.confirmed().count()
    promoted: list[SignUp] = []
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

        transaction.on_commit(partial(tasks.send_promotion_notice.delay, signup.pk))
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
    if not claim_once(SignUp, signup_id, "promotion_notified_at"):
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
def cancel_sign_up(*, signup: SignUp, by: User) -> SignUp:
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
