"""Wishes and claims staff move through the admin actions leave one audit record per row with
before and after values (the actions move them with .update(), which sends no save signal);
the same steps taken on the wish pages are no admin change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.audit import AuditEvent
from wishes import actions
from wishes.models import Wish, WishEvent

pytestmark = pytest.mark.django_db
WISHES = reverse("admin:wishes_wish_changelist")
CLAIMS = reverse("admin:wishes_claim_changelist")
CHANGE = AuditEvent.Kind.ADMIN_CHANGE


def _records(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            kind=CHANGE, object_id=str(obj.pk), content_type__model=obj._meta.model_name
        )
    )


def _action(client, url: str, action: str, rows, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [row.pk for row in rows], **extra}
    )


def test_verifying_in_the_admin_records_the_wish_once(client, staff, make_wish):
    wish = make_wish(Wish.Status.SUBMITTED)
    client.force_login(staff)

    _action(client, WISHES, "verify_selected", [wish])
    _action(client, WISHES, "verify_selected", [wish])  # again: a no-op

    wish.refresh_from_db()
    (record,) = _records(wish)
    assert record.user == staff and record.details["action"] == "wish_published"
    changes = record.details["changes"]
    assert changes["status"] == {"before": "submitted", "after": "published"}
    assert changes["published_at"] == {"before": None, "after": str(wish.published_at)}
    # The step's own event row is saved, hence recorded by the audit receivers.
    event = wish.events.get(kind=WishEvent.Kind.VERIFIED)
    assert len(_records(event)) == 1


def test_rejecting_in_the_admin_records_status_and_reason(client, staff, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)

    _action(client, WISHES, "reject_selected", [wish], apply="1", reason="重复提交")

    (record,) = _records(wish)
    assert record.details["changes"]["status"] == {"before": "published", "after": "rejected"}
    assert record.details["changes"]["rejection_reason"] == {"before": "", "after": "重复提交"}


def test_releasing_in_the_admin_records_the_claim_and_the_wish(client, staff, make_wish):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    claim = wish.claims.get()
    client.force_login(staff)

    _action(client, CLAIMS, "release_selected", [claim], apply="1", reason="单位联系不上")

    claim.refresh_from_db()
    (record,) = _records(claim)
    assert record.user == staff and record.details["action"] == "release_claim"
    assert record.details["changes"] == {
        "released_at": {"before": None, "after": str(claim.released_at)},
        "release_reason": {"before": "", "after": "单位联系不上"},
    }
    (back,) = _records(wish)
    assert back.details["changes"]["status"] == {"before": "in_progress", "after": "published"}


def test_verifying_outside_the_admin_is_no_admin_change(staff, make_wish):
    wish = make_wish(Wish.Status.SUBMITTED)
    actions.verify_wish(wish=wish, by=staff)
    assert not AuditEvent.objects.filter(kind=CHANGE).exists()
