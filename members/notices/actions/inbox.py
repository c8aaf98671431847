"""The inbox: a person's notices read, and the channels they choose."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.notices import kinds
from members.notices.models import Channel, Notice, Preference

if TYPE_CHECKING:
    from members.models import User


@transaction.atomic
def mark_read(*, user: User, notice_id: int) -> bool:
    """Mark one of `user`'s notices read; repeating it is a no-op. Return whether it changed."""
    changed = Notice.objects.filter(pk=notice_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        # Never below zero: the count is a convenience, the notices are the truth.
        get_user_model().objects.filter(pk=user.pk, unread_notices__gt=0).update(
            unread_notices=F("unread_notices") - 1
        )
    return bool(changed)


@transaction.atomic
def mark_all_read(*, user: User) -> int:
    """Mark every notice of `user` read; return how many were unread.

    The count is reset first: that locks the person's row, so a notice written meanwhile
    either waits and counts after, or committed before and is marked read here.
    """
    get_user_model().objects.filter(pk=user.pk).update(unread_notices=0)
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def save_preferences(*, user: User, choices: dict[str, dict[str, bool]], language: str) -> None:
    """Store a person's channels per kind (mandatory kinds keep their default) and language."""
    for key, chosen in choices.items():
        spec = kinds.get(key)
        if spec.mandatory:
            continue
        allowed = spec.personal_channels
        Preference.objects.update_or_create(
            user=user,
            kind=key,
            defaults={
                "email": Channel.EMAIL in allowed and chosen.get(Channel.EMAIL, False),
                "sms": Channel.SMS in allowed and chosen.get(Channel.SMS, False),
            },
        )
    get_user_model().objects.filter(pk=user.pk).update(language=language)
