"""Who is told of each step of a wish, through the portal's one outbox (members.notices).

The wisher hears of verification, rejection, claims, released claims, updates and fulfilment;
claimers hear of reopening and confirmation; invited organisations of the invitation; staff get
one daily digest of the wishes waiting (in their inbox, by e-mail and in the staff's group
robots if configured). Notices are written in the transaction of the step they report.
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.notices.actions import notify, notify_each, notify_group
from members.notices.kinds import NoticeKind
from members.notices.models import Channel, Notice
from wishes.models import Claim, StaffDigest, Wish, WishEvent

logger = logging.getLogger(__name__)
Kind = WishEvent.Kind

# Tuples, not sets: KINDS is built from them, and the notification settings page lists the
# kinds in that order; a set's order follows string hashing, so it changed from one process
# to the next.
TO_WISHER = (
    Kind.VERIFIED,
    Kind.REJECTED,
    Kind.CHANGES_ASKED,
    Kind.CLAIMED,
    Kind.RELEASED,
    Kind.UPDATE,
    Kind.FULFILLED,
)
TO_CLAIMERS = (Kind.REOPENED, Kind.CONFIRMED)
TOLD = (*TO_WISHER, *TO_CLAIMERS, Kind.INVITED)
STAFF_DIGEST = "wishes.staff_digest"
CLAIM_OVERDUE = "wishes.claim_overdue"


def kind_key(event_kind: str) -> str:
    return f"wishes.{event_kind}"


# The values every wish kind's template is rendered with in tests/notices/test_kinds.py.
_WISH = SimpleNamespace(
    title="开通公交线路", category=SimpleNamespace(name="出行"), public_wisher_name="张**"
)
_EXAMPLE = {
    "wish": _WISH,
    "event": SimpleNamespace(organisation="县运管局", text="已协调开通121路"),
    "claim": SimpleNamespace(promised_on=dt.date(2026, 12, 20)),
}

# One notice kind per told step, the staff digest and the overdue claim (registered by
# WishesConfig).
KINDS = (
    *(
        NoticeKind(
            key=kind_key(event_kind),
            # Lazy: the settings page shows it in the reader's language.
            label=format_lazy(_("Micro-wish: {step}"), step=Kind(event_kind).label),
            example=_EXAMPLE,
            example_link="/wishes/1/",
        )
        for event_kind in TOLD
    ),
    NoticeKind(
        key=STAFF_DIGEST,
        label=_("Daily list of wishes waiting for verification"),
        channels=(Channel.EMAIL, Channel.SMS, Channel.WECOM, Channel.DINGTALK),
        staff_only=True,
        example={"wishes": [_WISH], "overdue_count": 1, "day": dt.date(2026, 12, 3)},
        example_link="/admin/wishes/wish/?status__exact=submitted",
    ),
    NoticeKind(
        key=CLAIM_OVERDUE,
        label=_("A claimed wish past its promised date"),
        example={"wish": "开通公交线路", "organisation": "县运管局", "promised": "2026-12-20"},
        example_link="/wishes/1/",
    ),
)


def _contacts(organisations) -> list:
    users = []
    for organisation in organisations:
        for user in (organisation.duty_contact, organisation.backup_contact):
            if user is not None and user not in users:
                users.append(user)
    return users


def recipients_for(event: WishEvent) -> list:
    """The accounts to tell of this event (notify drops inactive ones)."""
    wish = event.wish
    if event.kind in TO_WISHER:
        return [wish.wisher]
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


def notify_event(event: WishEvent) -> int:
    """Write the notices of one wish event (in its transaction); return how many."""
    if event.kind not in TOLD:
        return 0
    wish = event.wish
    claim = None
    if event.kind == Kind.CLAIMED:
        claim = (
            Claim.objects.filter(wish=wish, organisation=event.organisation)
            .order_by("-created_at")
            .first()
        )
    notices = notify(
        kind=kind_key(event.kind),
        to=recipients_for(event),
        event=f"wishes.event:{event.pk}",
        context={"event": event, "wish": wish, "claim": claim},
        # Asked for changes: straight to the form that makes them.
        link=reverse(
            "wishes:wish_edit" if event.kind == Kind.CHANGES_ASKED else "wishes:wish_detail",
            args=[wish.pk],
        ),
    )
    return len(notices)


def tell_overdue_claims(*, today: dt.date | None = None) -> int:
    """Tell the contacts of each organisation whose claim is past its promised date (the
    wishes' one overdue rule, `ClaimQuerySet.overdue`); return how many notices were written.

    Safe to run any number of times, also concurrently: the claim and its promised date name
    the event, and the outbox writes one notice per event and person. A claim whose date is
    moved later and then missed again is told again (a new promise, a new event).
    """
    claims = (
        Claim.objects.overdue(today=today or timezone.localdate())
        .select_related("wish", "organisation__duty_contact", "organisation__backup_contact")
        .order_by("pk")
    )
    return notify_each(claims, _tell_overdue)


def _tell_overdue(claim: Claim) -> list[Notice]:
    return notify(
        kind=CLAIM_OVERDUE,
        to=_contacts([claim.organisation]),
        event=f"wishes.claim_overdue:{claim.pk}:{claim.promised_on.isoformat()}",
        link=reverse("wishes:wish_detail", args=[claim.wish_id]),
        context={
            "wish": claim.wish.title,
            "organisation": str(claim.organisation),
            "promised": claim.promised_on.isoformat(),
        },
    )


def digest_recipients() -> list:
    """Active staff who may moderate wishes."""
    return list(get_user_model().objects.staff_holding("wishes.moderate_wish").order_by("pk"))


def send_staff_digest(*, day: dt.date | None = None) -> StaffDigest | None:
    """Tell staff the wishes waiting for verification, once per day; None if nothing to tell."""
    day = day or timezone.localdate()
    waiting = list(Wish.objects.waiting().select_related("category").order_by("created_at"))
    if not waiting:
        return None
    users = digest_recipients()
    context = {"day": day, "wishes": waiting, "overdue_count": Wish.objects.overdue().count()}
    link = reverse("admin:wishes_wish_changelist") + "?status__exact=submitted"
    try:
        with transaction.atomic():
            digest = StaffDigest.objects.create(
                sent_on=day, waiting_count=len(waiting), recipient_count=len(users)
            )
            event = f"wishes.staff_digest:{day.isoformat()}"
            notify(kind=STAFF_DIGEST, to=users, event=event, context=context, link=link)
            notify_group(
                kind=STAFF_DIGEST, audience="staff", event=event, context=context, link=link
            )
    except IntegrityError:  # today's digest already went out
        return None
    logger.info(
        "wishes.staff_digest_sent", extra={"waiting": len(waiting), "recipients": len(users)}
    )
    return digest
