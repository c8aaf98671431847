"""Linking a login to its member on the roll by a verified mobile."""

from __future__ import annotations

import logging

from django.db import transaction

from members.audit import AuditEvent, record_event
from members.models import Member, User

logger = logging.getLogger(__name__)


@transaction.atomic
def link_member_by_verified_mobile(*, user: User) -> Member | None:
    """Link the account to the one unlinked member on the roll with its verified mobile.

    Called only after a code sent to that mobile was entered, never on a typed number alone.
    No match, several members with that mobile, or an account already linked: nothing
    changes, and the account stays a public one.
    """
    if not user.phone or not user.phone_verified or Member.objects.filter(user=user).exists():
        return None
    matches = list(
        Member.objects.select_for_update().filter(mobile=user.phone, user__isnull=True)[:2]
    )
    if len(matches) != 1:
        return None
    [member] = matches
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    record_event(AuditEvent.Kind.MEMBER_LINKED, user=user, obj=member)
    logger.info("members.linked_by_mobile", extra={"member_id": member.pk, "user_id": user.pk})
    return member
