"""Who is told of each step of a wish, and the e-mails that tell them.

The wisher hears of verification, rejection, claims, released claims, updates and fulfilment;
claimers hear of reopening and confirmation; invited organisations of the invitation; staff get
one daily digest of the wishes waiting. Mail is rendered in the portal's default language
(accounts carry no language preference yet). Each template's first line is the subject.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from members import sms
from members.transitions import claim_once
from wishes.models import Claim, StaffDigest, Wish, WishEvent

logger = logging.getLogger(__name__)
Kind = WishEvent.Kind

TO_WISHER = {
    Kind.VERIFIED,
    Kind.REJECTED,
    Kind.CHANGES_ASKED,
    Kind.CLAIMED,
    Kind.RELEASED,
    Kind.UPDATE,
    Kind.FULFILLED,
}
TO_CLAIMERS = {Kind.REOPENED, Kind.CONFIRMED}


def _reachable(user) -> bool:
    return bool(user.is_active and (user.email or user.phone))


def _contacts(organisations) -> list:
    users = []
    for organisation in organisations:
        for user in (organisation.duty_contact, organisation.backup_contact):
            if user is not None and _reachable(user) and user not in users:
                users.append(user)
    return users


def recipients_for(event: WishEvent) -> list:
    """The accounts to tell of this event (with an e-mail address or else a mobile)."""
    wish = event.wish
    if event.kind in TO_WISHER:
        wisher = wish.wisher
        return [wisher] if _reachable(wisher) else []
    if event.kind in TO_CLAIMERS:
        claims = (
            Claim.objects.active()
            .filter(wish=wish)
            .select_related("organisation__duty_contact", "organisation__backup_contact")
        )
        return _contacts(claim.organisation for claim in claims)
    if event.kind == Kind.INVITED and event.organisation is not None:
        return _contacts([event.organisation])
    return []


def _render(template: str, context: dict) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(template, context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def _absolute(path: str) -> str:
    return settings.PORTAL_SITE_URL + path


def send_event_notification(*, event_id: int) -> int:
    """Tell the people concerned by one event, once; return how many messages were sent.

    The event row is claimed with a conditional UPDATE inside the transaction that sends, so a
    task delivered twice sends once, and a failed send leaves it unclaimed for the retry.
    Accounts with an e-mail address get an e-mail; accounts with only a mobile (members who
    signed up by phone) get a short SMS with the subject and the link. SMS go first and carry
    an idempotency key, so a retry after a failed e-mail is dropped by the gateway.
    """
    with transaction.atomic():
        if not claim_once(WishEvent, event_id, "notified_at"):
            return 0
        event = WishEvent.objects.select_related(
            "wish__wisher", "wish__category", "organisation", "actor"
        ).get(pk=event_id)
        users = recipients_for(event)
        if not users:
            return 0
        wish = event.wish
        claim = None
        if event.kind == Kind.CLAIMED:
            claim = (
                Claim.objects.filter(wish=wish, organisation=event.organisation)
                .order_by("-created_at")
                .first()
            )
        context = {
            "event": event,
            "wish": wish,
            "claim": claim,
            "wish_url": _absolute(reverse("wishes:wish_detail", args=[wish.pk])),
            "edit_url": _absolute(reverse("wishes:wish_edit", args=[wish.pk])),
        }
        messages, sent = [], 0
        for user in users:
            subject, body = _render(
                f"wishes/emails/{event.kind}.txt", {**context, "recipient": user}
            )
            if user.email:
                messages.append(EmailMessage(subject, body, to=[user.email]))
            else:
                try:
                    sent += sms.get_backend().send(
                        numbers=[user.phone],
                        text=f"{subject} {context['wish_url']}",
                        key=f"wish-event-{event.pk}-{user.pk}",
                    )
                except sms.PermanentSmsError:  # a bad number will never work: skip, say so
                    logger.warning(
                        "wishes.sms_refused", extra={"event_id": event_id, "user_id": user.pk}
                    )
        if messages:
            sent += get_connection().send_messages(messages) or 0
    logger.info(
        "wishes.notification_sent",
        extra={"event_id": event_id, "kind": event.kind, "count": sent},
    )
    return sent


def digest_recipients() -> list:
    """Active staff who may moderate wishes and have an e-mail address."""
    return list(
        get_user_model()
        .objects.staff_holding("wishes.moderate_wish")
        .exclude(email="")
        .order_by("pk")
    )


def send_staff_digest(*, day: date | None = None) -> StaffDigest | None:
    """E-mail staff the wishes waiting for verification, once per day; None if nothing sent."""
    day = day or timezone.localdate()
    waiting = list(Wish.objects.waiting().select_related("category").order_by("created_at"))
    if not waiting:
        return None
    users = digest_recipients()
    try:
        with transaction.atomic():
            digest = StaffDigest.objects.create(
                sent_on=day, waiting_count=len(waiting), recipient_count=len(users)
            )
            context = {
                "day": day,
                "wishes": waiting,
                "overdue_count": Wish.objects.overdue().count(),
                "queue_url": _absolute(
                    reverse("admin:wishes_wish_changelist") + "?status__exact=submitted"
                ),
            }
            subject, body = _render("wishes/emails/staff_digest.txt", context)
            get_connection().send_messages(
                [EmailMessage(subject, body, to=[user.email]) for user in users]
            )
    except IntegrityError:  # today's digest already went out
        return None
    logger.info(
        "wishes.staff_digest_sent", extra={"waiting": len(waiting), "recipients": len(users)}
    )
    return digest
