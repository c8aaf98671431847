"""Activity sign-ups and the waiting list.

Lock order (one place): the activity row first (`select_for_update`), then the sign-ups.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members import periods
from members.audit_changes import record_change, snapshot
from members.models import Member
from members.notices.actions import notify, notify_each
from members.refusals import Refused
from members.transitions import transition
from services.models import Activity, SignUp
from services.notices import ACTIVITY_REMINDER, PROMOTED
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
        _notify_promotion(signup)
    return promoted


def _notify_promotion(signup: SignUp) -> None:
    """Tell a member they moved up from the waiting list (in the promotion's transaction).

    A sign-up moves up once (waiting -> confirmed), so the sign-up names the event. A member
    without an account on the portal has no inbox and is not told (staff signed them up).
    """
    _tell_about_activity(signup, PROMOTED)


def _tell_about_activity(signup: SignUp, kind: str) -> list:
    """One notice of `kind` to the member of a sign-up, about its activity.

    The promotion and the day-before reminder say the same things (what, when, where) and
    link to the same page; the sign-up names the event, so each is written once per sign-up.
    """
    activity = signup.activity
    return notify(
        kind=kind,
        to=[signup.member.user],
        event=f"{kind}:{signup.pk}",
        link=reverse("services:activity_detail", args=[activity.pk]),
        context={
            "activity": activity.title,
            "starts": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
            "venue": activity.venue,
        },
    )


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


def remind_tomorrows_activities(*, today: datetime.date | None = None) -> int:
    """Remind each confirmed place of an activity starting tomorrow (Deqing time); return how
    many notices were written.

    Safe to run any number of times, also concurrently: the sign-up names the event, and the
    outbox writes one notice per event and person (a second run, or a parallel one, finds it
    and writes nothing). People on the waiting list have no place yet and are not reminded.
    """
    tomorrow = (today or timezone.localdate()) + datetime.timedelta(days=1)
    start, end = periods.day_bounds(tomorrow)
    signups = (
        SignUp.objects.confirmed()
        .filter(activity__starts_at__gte=start, activity__starts_at__lt=end)
        .exclude(member__user__isnull=True)
        .select_related("activity", "member__user")
        .order_by("pk")
    )
    return notify_each(signups, lambda signup: _tell_about_activity(signup, ACTIVITY_REMINDER))
