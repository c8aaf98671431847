"""Use cases of the wish wall: one function per transition, each checking who may make it.

Every transition is a conditional UPDATE (`... WHERE status IN (<allowed>)`) whose row count is
checked, so two requests can never both move a wish. Actions that touch claims first lock the
wish row (`_lock_wish`), always before any claim row: one lock order everywhere, so claims,
releases, fulfilment and withdrawal queue up instead of deadlocking. Each step is recorded as a
`WishEvent` (the timeline and the moderation record); notifications go out after commit.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit_changes import record_change, snapshot
from members.images import CleanPhoto, StagedFiles, files_removed_on_rollback
from members.refusals import STALE, Refused
from members.transitions import transition
from rota.models import Organisation
from wishes.models import (
    MAX_PHOTOS,
    Claim,
    Invitation,
    Wish,
    WishEvent,
    WishPhoto,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User
    from services.models import Category

Status = Wish.Status
Kind = WishEvent.Kind


# --- who may -----------------------------------------------------------------------------------
def is_moderator(user: User | AnonymousUser | None) -> bool:
    """Centre staff allowed to verify, reject and route wishes."""
    return bool(user and user.is_active and user.is_staff and user.has_perm("wishes.moderate_wish"))


def _require_moderator(user: User | AnonymousUser | None) -> None:
    if not is_moderator(user):
        raise PermissionDenied(_("Only centre staff may do this."))


def _require_wisher(wish: Wish, user: User | AnonymousUser | None, message: str) -> None:
    if not (user and user.is_authenticated and wish.wisher_id == user.pk):
        raise PermissionDenied(message)


def _require_speaks_for(user: User | AnonymousUser | None, organisation: Organisation) -> None:
    if not (is_moderator(user) or organisation.has_contact(user)):
        raise PermissionDenied(
            _("Only the contacts of %(organisation)s may do this.") % {"organisation": organisation}
        )


# --- building blocks ---------------------------------------------------------------------------
def _lock_wish(wish: Wish) -> Wish:
    """Lock the wish row first, before any of its claims (the one lock order of this app)."""
    return Wish.objects.select_for_update().get(pk=wish.pk)


# Why a step on a wish was refused (`%(status)s`: the state it is in now).
WISH_STALE = gettext_lazy("This wish is now “%(status)s”; the step was not made.")


def _transition(wish: Wish, *, allowed: Iterable[str], to: str, **fields: Any) -> Wish:
    """Move the wish to `to` only if it is still in an allowed state; refresh and return it."""
    before = snapshot(wish, ["status", *fields])
    transition(wish, allowed=allowed, to=to, refusal=WISH_STALE, **fields)
    # .update() sends no save signal: a step staff take in the admin (verify, reject, a claim
    # released) is recorded here; the WishEvent names the step for everyone else.
    record_change(by=None, obj=wish, action=f"wish_{to}", before=before, admin_pages_only=True)
    return wish


def _record(
    wish: Wish,
    kind: str,
    *,
    by: User | None = None,
    organisation: Organisation | None = None,
    text: str = "",
) -> WishEvent:
    event = WishEvent.objects.create(
        wish=wish, kind=kind, actor=by, organisation=organisation, text=text
    )
    # The notices commit with the step (members.notices): none is lost, none is sent twice.
    from wishes.notifications import notify_event

    notify_event(event)
    return event


def _step(
    wish: Wish,
    *,
    allowed: Iterable[str],
    to: str,
    event: str,
    by: User,
    note: str = "",
    **fields: Any,
) -> Wish:
    """A step of the wisher's or the staff's: the wish moves and the step is on its timeline
    (with `note`, the reason or request the wisher is shown)."""
    wish = _transition(wish, allowed=allowed, to=to, **fields)
    _record(wish, event, by=by, text=note)
    return wish


def _store_photos(
    wish: Wish,
    photos: Sequence[CleanPhoto],
    files: StagedFiles,
    *,
    event: WishEvent | None = None,
) -> None:
    """Write the photos and their rows; `files` deletes the files if the transaction fails."""
    if len(photos) > MAX_PHOTOS:
        raise Refused(
            _("At most %(count)d photos.") % {"count": MAX_PHOTOS}, code="too_many_photos"
        )
    for position, photo in enumerate(photos):
        row = WishPhoto(wish=wish, event=event, position=position)
        files.save(row.image, photo.image)
        # The wish forms ask `members.images` for thumbnails: every wish photo has one.
        files.save(row.thumbnail, cast(ContentFile, photo.thumbnail))
        row.save()


def _required_text(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Refused(message, code=code)
    return value


# --- the wisher --------------------------------------------------------------------------------
def submit_wish(
    *,
    wisher: User | AnonymousUser,
    title: str,
    text: str,
    category: Category,
    show_name: bool = False,
    photos: Sequence[CleanPhoto] = (),
) -> Wish:
    """Save a new wish waiting for verification, with its re-encoded photos.

    Opens its own transaction (photo files are removed if it rolls back): never nest it.
    """
    if not (wisher and wisher.is_authenticated):
        raise PermissionDenied(_("Please log in to post a wish."))
    with files_removed_on_rollback() as files:
        wish = Wish(
            wisher=wisher,
            title=(title or "").strip(),
            text=(text or "").strip(),
            category=category,
            show_name=show_name,
        )
        wish.full_clean()
        wish.save()
        _store_photos(wish, photos, files)
        _record(wish, Kind.SUBMITTED, by=wisher)
    return wish


@transaction.atomic
def withdraw_wish(*, wish: Wish, by: User) -> Wish:
    """The wisher takes the wish back; possible until an organisation claims it."""
    _require_wisher(wish, by, _("Only the person who made the wish can withdraw it."))
    wish = _lock_wish(wish)
    if wish.status == Status.WITHDRAWN:
        return wish
    before_claims = [Status.SUBMITTED, Status.CHANGES_ASKED, Status.PUBLISHED]
    if wish.status not in before_claims:
        raise Refused(
            _("A wish can no longer be withdrawn once an organisation has claimed it."),
            code="already_claimed",
        )
    return _step(wish, allowed=before_claims, to=Status.WITHDRAWN, event=Kind.WITHDRAWN, by=by)


@transaction.atomic
def confirm_wish(*, wish: Wish, by: User) -> Wish:
    """The wisher says the wish was granted (办结)."""
    _require_wisher(wish, by, _("Only the person who made the wish can confirm it."))
    if wish.status == Status.CONFIRMED:
        return wish
    return _step(
        wish,
        allowed=[Status.FULFILLED],
        to=Status.CONFIRMED,
        event=Kind.CONFIRMED,
        by=by,
        confirmed_at=timezone.now(),
    )


@transaction.atomic
def reopen_wish(*, wish: Wish, by: User, reason: str) -> Wish:
    """The wisher says it was not granted after all; the claimers are asked again."""
    _require_wisher(wish, by, _("Only the person who made the wish can reopen it."))
    reason = _required_text(reason, _("Please say what is still missing."), "reason_required")
    wish = _lock_wish(wish)
    return _step(
        wish,
        allowed=[Status.FULFILLED],
        to=Status.IN_PROGRESS,
        event=Kind.REOPENED,
        by=by,
        note=reason,
        fulfilled_at=None,
        reopen_count=F("reopen_count") + 1,
    )


@transaction.atomic
def revise_wish(
    *, wish: Wish, by: User, title: str, text: str, category: Category, show_name: bool
) -> Wish:
    """The wisher makes the changes staff asked for; the wish waits for verification again."""
    _require_wisher(wish, by, _("Only the person who made the wish can change it."))
    wish = _lock_wish(wish)
    if wish.status != Status.CHANGES_ASKED:
        raise Refused(_("This wish is not waiting for changes any more."), code="no_changes_asked")
    changes: dict[str, Any] = {
        "title": (title or "").strip(),
        "text": (text or "").strip(),
        "category": category,
        "show_name": show_name,
    }
    # The same field rules as a new wish, checked on a copy: `wish` keeps the old words for
    # the audit record of the change.
    candidate = copy.copy(wish)
    for name, value in changes.items():
        setattr(candidate, name, value)
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    return _step(
        wish,
        allowed=[Status.CHANGES_ASKED],
        to=Status.SUBMITTED,
        event=Kind.REVISED,
        by=by,
        changes_asked="",
        **changes,
    )


def auto_confirm_wish(*, wish_id: int, now: datetime | None = None) -> Wish | None:
    """Confirm a fulfilled wish the wisher left silent too long; None if nothing to do."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WISHES_AUTO_CONFIRM_DAYS)
    with transaction.atomic():
        wish = Wish.objects.filter(pk=wish_id).first()
        # No refusal: a wish confirmed, reopened or gone meanwhile is simply left alone.
        if wish is None or not transition(
            wish,
            allowed=[Status.FULFILLED],
            to=Status.CONFIRMED,
            when=Q(fulfilled_at__lte=cutoff),
            confirmed_at=now,
            auto_confirmed=True,
            updated_at=now,
        ):
            return None
        _record(wish, Kind.AUTO_CONFIRMED)
    return wish


# --- centre staff ------------------------------------------------------------------------------
@transaction.atomic
def verify_wish(*, wish: Wish, by: User) -> Wish:
    """Staff checked the wish (核实): it goes on the public wall (公示)."""
    _require_moderator(by)
    if wish.status == Status.PUBLISHED:
        return wish
    return _step(
        wish,
        allowed=[Status.SUBMITTED],
        to=Status.PUBLISHED,
        event=Kind.VERIFIED,
        by=by,
        published_at=timezone.now(),
    )


@transaction.atomic
def ask_for_changes(*, wish: Wish, by: User, note: str) -> Wish:
    """Staff send a wish back to its wisher with what to change before it can be verified."""
    _require_moderator(by)
    note = _required_text(note, _("Please tell the wisher what to change."), "note_required")
    note = note[:300]
    return _step(
        wish,
        allowed=[Status.SUBMITTED],
        to=Status.CHANGES_ASKED,
        event=Kind.CHANGES_ASKED,
        by=by,
        note=note,
        changes_asked=note,
    )


@transaction.atomic
def reject_wish(*, wish: Wish, by: User, reason: str) -> Wish:
    """Staff do not accept the wish; the wisher is told why. Possible before any claim."""
    _require_moderator(by)
    reason = _required_text(reason, _("Please give the wisher a reason."), "reason_required")[:300]
    wish = _lock_wish(wish)
    if wish.status == Status.REJECTED:
        return wish
    return _step(
        wish,
        allowed=[Status.SUBMITTED, Status.CHANGES_ASKED, Status.PUBLISHED],
        to=Status.REJECTED,
        event=Kind.REJECTED,
        by=by,
        note=reason,
        rejection_reason=reason,
    )


@transaction.atomic
def invite_organisation(*, wish: Wish, organisation: Organisation, by: User) -> Invitation:
    """Staff ask an organisation to consider claiming a published wish; its contacts are told."""
    _require_moderator(by)
    if wish.status not in (Status.PUBLISHED, Status.CLAIMED, Status.IN_PROGRESS):
        raise Refused(
            _("Only wishes on the wall can be offered to organisations."), code="not_open"
        )
    if not organisation.is_active:
        raise Refused(_("This organisation is no longer active."), code="inactive")
    invitation, created = Invitation.objects.get_or_create(
        wish=wish, organisation=organisation, defaults={"invited_by": by}
    )
    if created:
        _record(wish, Kind.INVITED, by=by, organisation=organisation)
    return invitation


# --- alliance organisations --------------------------------------------------------------------
@transaction.atomic
def claim_wish(*, wish: Wish, organisation: Organisation, by: User, promised_on: date) -> Claim:
    """An organisation promises to grant the wish by a date (认领); several may join in."""
    _require_speaks_for(by, organisation)
    if not organisation.is_active:
        raise Refused(_("This organisation is no longer active."), code="inactive")
    if promised_on < timezone.localdate():
        raise Refused(_("The promised date cannot be in the past."), code="past_date")
    wish = _lock_wish(wish)
    if wish.status not in (Status.PUBLISHED, Status.CLAIMED, Status.IN_PROGRESS):
        raise Refused(
            _("This wish is not open for claims (it is “%(status)s”).")
            % {"status": wish.get_status_display()},
            code="not_open",
        )
    if Claim.objects.active().filter(wish=wish, organisation=organisation).exists():
        raise Refused(
            _("%(organisation)s has already claimed this wish.") % {"organisation": organisation},
            code="already_claimed",
        )
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                wish=wish, organisation=organisation, promised_on=promised_on, claimed_by=by
            )
    except IntegrityError as exc:  # the named unique constraint, should a lock be bypassed
        raise Refused(
            _("%(organisation)s has already claimed this wish.") % {"organisation": organisation},
            code="already_claimed",
        ) from exc
    if wish.status == Status.PUBLISHED:
        _transition(wish, allowed=[Status.PUBLISHED], to=Status.CLAIMED)
    _record(wish, Kind.CLAIMED, by=by, organisation=organisation)
    return claim


@transaction.atomic
def release_claim(*, claim: Claim, by: User, reason: str) -> Claim:
    """The organisation gives the wish up (un-claim); with no claim left it returns to the wall."""
    _require_speaks_for(by, claim.organisation)
    reason = _required_text(reason, _("Please say why the claim is released."), "reason_required")[
        :300
    ]
    wish = _lock_wish(claim.wish)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if not claim.is_active:
        return claim
    if wish.status not in (Status.CLAIMED, Status.IN_PROGRESS):
        raise Refused(
            _("A fulfilled wish cannot be released; the wisher may reopen it."),
            code=STALE,
        )
    now = timezone.now()
    before = snapshot(claim, ["released_at", "release_reason"])
    Claim.objects.filter(pk=claim.pk, released_at__isnull=True).update(
        released_at=now, release_reason=reason
    )
    claim.refresh_from_db()
    record_change(by=by, obj=claim, action="release_claim", before=before, admin_pages_only=True)
    if not Claim.objects.active().filter(wish=wish).exists():
        wish = _transition(
            wish,
            allowed=[Status.CLAIMED, Status.IN_PROGRESS],
            to=Status.PUBLISHED,
            published_at=now,
        )
    _record(wish, Kind.RELEASED, by=by, organisation=claim.organisation, text=reason)
    return claim


def _active_claim_for(wish: Wish, organisation: Organisation, by: User) -> Claim:
    _require_speaks_for(by, organisation)
    claim: Claim | None = (
        Claim.objects.active().filter(wish=wish, organisation=organisation).first()
    )
    if claim is None:
        raise Refused(
            _("%(organisation)s has not claimed this wish.") % {"organisation": organisation},
            code="not_claimer",
        )
    return claim


def post_update(
    *,
    wish: Wish,
    organisation: Organisation,
    by: User,
    text: str,
    photos: Sequence[CleanPhoto] = (),
) -> WishEvent:
    """A claimer tells the public how it is going; the first update marks the wish in progress.

    Opens its own transaction (photo files are removed if it rolls back): never nest it.
    """
    text = _required_text(text, _("Please write what has happened."), "text_required")[:1000]
    with files_removed_on_rollback() as files:
        wish = _lock_wish(wish)
        _active_claim_for(wish, organisation, by)
        if wish.status == Status.CLAIMED:
            wish = _transition(wish, allowed=[Status.CLAIMED], to=Status.IN_PROGRESS)
        elif wish.status != Status.IN_PROGRESS:
            raise Refused(
                _("Updates can be posted while a wish is claimed or in progress."),
                code=STALE,
            )
        event = _record(wish, Kind.UPDATE, by=by, organisation=organisation, text=text)
        _store_photos(wish, photos, files, event=event)
    return event


def fulfil_wish(
    *,
    wish: Wish,
    organisation: Organisation,
    by: User,
    evidence: str,
    photos: Sequence[CleanPhoto] = (),
) -> Wish:
    """A claimer reports the wish granted, with evidence; the wisher is asked to confirm.

    Opens its own transaction (photo files are removed if it rolls back): never nest it.
    """
    evidence = _required_text(
        evidence, _("Please describe how the wish was granted."), "evidence_required"
    )[:1000]
    with files_removed_on_rollback() as files:
        wish = _lock_wish(wish)
        _active_claim_for(wish, organisation, by)
        wish = _transition(
            wish,
            allowed=[Status.CLAIMED, Status.IN_PROGRESS],
            to=Status.FULFILLED,
            evidence=evidence,
            fulfilled_at=timezone.now(),
        )
        event = _record(wish, Kind.FULFILLED, by=by, organisation=organisation, text=evidence)
        _store_photos(wish, photos, files, event=event)
    return wish
