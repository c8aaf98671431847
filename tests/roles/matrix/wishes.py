"""wishes: wishes, claims, their history, invitations, photos, staff digests; the wish pages.

Who may do what (issue #9): centre staff moderate everything; an alliance contact sees the
claims of their own organisations (the Claim admin, not the Wish admin: the wish pages are where
a contact acts, the Wish admin is the moderation desk with unpublished wishes); the wisher
withdraws, confirms and reopens their own wish; anyone reads a published wish.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.roles.matrix import ALL, OWN, AdminSpec, PageSpec
from wishes.models import Claim, Invitation, StaffDigest, Wish, WishEvent, WishPhoto

_n = itertools.count(1)

# Row keys of the wish pages, named for what makes the row different.
PUBLISHED = frozenset({"published"})
EVERY_PUBLIC_ROLE = (
    "centre_staff",
    "branch_secretary",
    "alliance_contact",
    "operator",
    "auditor",
    "no_role",
    "member",
    "anonymous",
)


# --- rows -------------------------------------------------------------------------------------
def _wish(world, *, status: str = Wish.Status.PUBLISHED, wisher=None, **fields) -> Wish:
    public = status != Wish.Status.SUBMITTED
    return Wish.objects.create(
        title=f"心愿{next(_n)}",
        text="希望开通小镇到城区的公交线路。",
        category=world["category"],
        wisher=wisher or world["requester"],
        status=status,
        published_at=world["now"] if public else None,
        **fields,
    )


def _claim(world, wish: Wish, key: str) -> Claim:
    contact = world["users"]["alliance_contact"] if key == "own" else world["requester"]
    return Claim.objects.create(
        wish=wish,
        organisation=world["organisation"][key],
        promised_on=world["monday"] + dt.timedelta(days=30),
        claimed_by=contact,
    )


def _claimed_wishes(world, status: str = Wish.Status.CLAIMED) -> dict:
    """One wish claimed by the contact's organisation ("own"), one by another ("other")."""
    rows = {}
    for key in ("own", "other"):
        wish = _wish(world, status=status)
        wish.matrix_claim = _claim(world, wish, key)
        rows[key] = wish
    return rows


def _wisher_rows(world, status: str) -> dict:
    """The member's own wish ("own") and someone else's ("other"), both in `status`."""
    return {
        "own": _wish(world, status=status, wisher=world["users"]["member"]),
        "other": _wish(world, status=status),
    }


def _jpeg(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _photo(wish: Wish, position: int = 0) -> WishPhoto:
    photo = WishPhoto(wish=wish, position=position)
    photo.image.save(f"p{next(_n)}.jpg", ContentFile(_jpeg()), save=False)
    photo.thumbnail.save(f"t{next(_n)}.jpg", ContentFile(_jpeg((20, 15))), save=False)
    photo.width, photo.height = 40, 30
    photo.save()
    return photo


def _admin_wishes(world) -> dict:
    rows = _claimed_wishes(world)
    # Waiting for verification: the desk's main work.
    rows["submitted"] = _wish(world, status=Wish.Status.SUBMITTED)
    return rows


def _event(world) -> dict:
    wish = _wish(world)
    return {"any": WishEvent.objects.create(wish=wish, kind="verified", actor=world["requester"])}


def _invitation(world) -> dict:
    wish = _wish(world)
    return {
        "any": Invitation.objects.create(
            wish=wish,
            organisation=world["organisation"]["own"],
            invited_by=world["users"]["centre_staff"],
        )
    }


def _digest(world) -> dict:
    return {"any": StaffDigest.objects.create(sent_on=dt.date(2026, 1, 5), waiting_count=3)}


# --- grow (changelist query counts) -------------------------------------------------------------
def grow_wishes(world, count: int) -> None:
    for _ in range(count):
        wish = _wish(world, status=Wish.Status.CLAIMED)
        _claim(world, wish, "own")
        _photo(wish)


def grow_claims(world, count: int) -> None:
    for _ in range(count):
        _claim(world, _wish(world, status=Wish.Status.CLAIMED), "own")


def grow_events(world, count: int) -> None:
    for _ in range(count):
        WishEvent.objects.create(
            wish=_wish(world),
            kind="claimed",
            actor=world["users"]["alliance_contact"],
            organisation=world["organisation"]["own"],
        )


def grow_invitations(world, count: int) -> None:
    for _ in range(count):
        Invitation.objects.create(
            wish=_wish(world),
            organisation=world["organisation"]["own"],
            invited_by=world["users"]["centre_staff"],
        )


def grow_photos(world, count: int) -> None:
    for _ in range(count):
        _photo(_wish(world))


def grow_digests(world, count: int) -> None:
    for _ in range(count):
        StaffDigest.objects.create(sent_on=dt.date(2025, 1, 1) + dt.timedelta(days=next(_n)))


ADMIN = [
    AdminSpec(
        model="wishes.wish",
        rows=_admin_wishes,
        # The moderation desk: centre staff only. Statuses move through the actions; a wish is
        # never deleted (its record of decisions is kept): staff reject, the wisher withdraws.
        allowed={
            "centre_staff": {
                "view": ALL | {"submitted"},
                "change": ALL | {"submitted"},
                "export": ALL | {"submitted"},
            },
        },
        marker=lambda row: row.title,
        grow=grow_wishes,
    ),
    AdminSpec(
        model="wishes.claim",
        rows=lambda world: world["claim"],
        # Claims change only on the wish page or by the staff's release action (the actions
        # keep the wish's state right); a deleted claim would leave a "claimed" wish unclaimed.
        allowed={
            "centre_staff": {"view": ALL, "export": ALL},
            "alliance_contact": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.wish.title,
        grow=grow_claims,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="wishes.wishevent",
        rows=_event,
        # History: read-only for everyone (the public timeline and the moderation record).
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_events,
    ),
    AdminSpec(
        model="wishes.invitation",
        rows=_invitation,
        # A notice already sent: made on the routing page, kept as it is.
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_invitations,
    ),
    AdminSpec(
        model="wishes.wishphoto",
        rows=lambda world: {"any": _photo(_wish(world))},
        # Staff may take down an unsuitable photo; photos are added only through the forms.
        allowed={"centre_staff": {"view": ALL, "delete": ALL}},
        grow=grow_photos,
    ),
    AdminSpec(
        model="wishes.staffdigest",
        rows=_digest,
        # A log of digests sent (it keeps a repeated run from sending twice): read-only.
        allowed={"centre_staff": {"view": ALL}},
        grow=grow_digests,
    ),
]


# --- public pages -------------------------------------------------------------------------------
def _posted(client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code in (302, 403, 404), (url, response.status_code)


def _reread(wish: Wish) -> Wish:
    return Wish.objects.get(pk=wish.pk)


def _future() -> str:
    return (timezone.localdate() + dt.timedelta(days=20)).isoformat()


def _claim_rows(world) -> dict:
    """Published wishes; "own" is claimed for the contact's organisation, "other" for another."""
    rows = {}
    for key in ("own", "other"):
        wish = _wish(world)
        wish.matrix_organisation = world["organisation"][key]
        rows[key] = wish
    return rows


def attempt_claim(client, wish: Wish) -> bool:
    organisation = wish.matrix_organisation
    _posted(
        client,
        reverse("wishes:wish_claim", args=[wish.pk]),
        {"organisation": organisation.pk, "promised_on": _future()},
    )
    return Claim.objects.active().filter(wish=wish, organisation=organisation).exists()


def attempt_release(client, wish: Wish) -> bool:
    claim = wish.matrix_claim
    _posted(
        client,
        reverse("wishes:claim_release", args=[wish.pk, claim.pk]),
        {"reason": "人手不足"},
    )
    return Claim.objects.get(pk=claim.pk).released_at is not None


def attempt_update(client, wish: Wish) -> bool:
    _posted(
        client,
        reverse("wishes:wish_update", args=[wish.pk]),
        {"organisation": wish.matrix_claim.organisation_id, "text": "已与公交公司对接"},
    )
    return WishEvent.objects.filter(wish=wish, kind=WishEvent.Kind.UPDATE).exists()


def attempt_fulfil(client, wish: Wish) -> bool:
    _posted(
        client,
        reverse("wishes:wish_fulfil", args=[wish.pk]),
        {"organisation": wish.matrix_claim.organisation_id, "text": "121路公交已开通"},
    )
    return _reread(wish).status == Wish.Status.FULFILLED


def attempt_confirm(client, wish: Wish) -> bool:
    _posted(client, reverse("wishes:wish_confirm", args=[wish.pk]), {})
    return _reread(wish).status == Wish.Status.CONFIRMED


def attempt_reopen(client, wish: Wish) -> bool:
    _posted(client, reverse("wishes:wish_reopen", args=[wish.pk]), {"reason": "还没有开通"})
    return _reread(wish).status == Wish.Status.IN_PROGRESS


def attempt_withdraw(client, wish: Wish) -> bool:
    _posted(client, reverse("wishes:wish_withdraw", args=[wish.pk]), {})
    return _reread(wish).status == Wish.Status.WITHDRAWN


def _invite_rows(world) -> dict:
    wish = _wish(world)
    wish.matrix_organisation = world["organisation"]["other"]
    return {"any": wish}


def attempt_invite(client, wish: Wish) -> bool:
    organisation = wish.matrix_organisation
    _posted(client, reverse("wishes:wish_invite", args=[wish.pk, organisation.pk]), {})
    return Invitation.objects.filter(wish=wish, organisation=organisation).exists()


def _detail_rows(world) -> dict:
    return {
        "published": _wish(world),
        # Waiting for verification: only its wisher (the member) and centre staff see it.
        "submitted": _wish(world, status=Wish.Status.SUBMITTED, wisher=world["users"]["member"]),
        # Withdrawn by someone else: off the wall for everyone but centre staff.
        "withdrawn": _wish(world, status=Wish.Status.WITHDRAWN),
    }


_DETAIL_ALLOWED = {
    **dict.fromkeys(EVERY_PUBLIC_ROLE, PUBLISHED),
    "centre_staff": frozenset({"published", "submitted", "withdrawn"}),
    "member": frozenset({"published", "submitted"}),
}
# Claimers act for their organisation; centre staff may act for any (a claim by telephone).
_CLAIMERS = {"centre_staff": ALL, "alliance_contact": OWN}
_WISHER = {"member": OWN}

PAGES = [
    PageSpec(
        name="wishes:wish_detail",
        rows=_detail_rows,
        url=lambda row: reverse("wishes:wish_detail", args=[row.pk]),
        allowed=_DETAIL_ALLOWED,
    ),
    PageSpec(
        name="wishes:wish_route",
        rows=lambda world: {"any": _wish(world)},
        url=lambda row: reverse("wishes:wish_route", args=[row.pk]),
        allowed={"centre_staff": ALL},
    ),
    PageSpec(
        name="wishes:wish_invite",
        rows=_invite_rows,
        url=lambda row: reverse("wishes:wish_invite", args=[row.pk, row.matrix_organisation.pk]),
        allowed={"centre_staff": ALL},
        attempt=attempt_invite,
    ),
    PageSpec(
        name="wishes:wish_claim",
        rows=_claim_rows,
        url=lambda row: reverse("wishes:wish_claim", args=[row.pk]),
        allowed=_CLAIMERS,
        attempt=attempt_claim,
    ),
    PageSpec(
        name="wishes:claim_release",
        rows=lambda world: _claimed_wishes(world),
        url=lambda row: reverse("wishes:claim_release", args=[row.pk, row.matrix_claim.pk]),
        allowed=_CLAIMERS,
        attempt=attempt_release,
    ),
    PageSpec(
        name="wishes:wish_update",
        rows=lambda world: _claimed_wishes(world),
        url=lambda row: reverse("wishes:wish_update", args=[row.pk]),
        allowed=_CLAIMERS,
        attempt=attempt_update,
    ),
    PageSpec(
        name="wishes:wish_fulfil",
        rows=lambda world: _claimed_wishes(world, Wish.Status.IN_PROGRESS),
        url=lambda row: reverse("wishes:wish_fulfil", args=[row.pk]),
        allowed=_CLAIMERS,
        attempt=attempt_fulfil,
    ),
    PageSpec(
        name="wishes:wish_confirm",
        rows=lambda world: _wisher_rows(world, Wish.Status.FULFILLED),
        url=lambda row: reverse("wishes:wish_confirm", args=[row.pk]),
        allowed=_WISHER,
        attempt=attempt_confirm,
    ),
    PageSpec(
        name="wishes:wish_reopen",
        rows=lambda world: _wisher_rows(world, Wish.Status.FULFILLED),
        url=lambda row: reverse("wishes:wish_reopen", args=[row.pk]),
        allowed=_WISHER,
        attempt=attempt_reopen,
    ),
    PageSpec(
        name="wishes:wish_withdraw",
        rows=lambda world: _wisher_rows(world, Wish.Status.PUBLISHED),
        url=lambda row: reverse("wishes:wish_withdraw", args=[row.pk]),
        allowed=_WISHER,
        attempt=attempt_withdraw,
    ),
]
