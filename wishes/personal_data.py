"""What wishes puts in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from members.exports import exclude_from_export, register_export
from wishes.models import Claim, Invitation, Wish, WishEvent


def register() -> None:
    register_export(
        Wish,
        person=["wisher"],
        fields=(
            "created_at title text category__name show_name status rejection_reason published_at "
            "fulfilled_at confirmed_at"
        ),
    )
    register_export(
        Claim,
        person=["claimed_by", "wish__wisher"],
        fields="wish_id organisation__name promised_on created_at released_at release_reason",
    )
    register_export(
        WishEvent,
        person=["actor", "wish__wisher"],
        fields="wish_id created_at kind organisation__name text",
    )
    register_export(
        Invitation, person=["wish__wisher"], fields="wish_id organisation__name created_at"
    )
    exclude_from_export(
        "wishes.Invitation.invited_by",
        "moderators inviting organisations to other people's wishes",
    )
