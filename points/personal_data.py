"""What points puts in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from members.exports import exclude_from_export, register_export
from points.models import Account, Entry, Voucher


def register() -> None:
    register_export(Account, person=["member"], fields="balance monthly_cap created_at")
    register_export(
        Entry,
        person=["account__member"],
        fields="created_at kind amount reason voucher__code",
    )
    exclude_from_export(
        "points.Entry.created_by", "entries staff or operators made in other members' accounts"
    )
    register_export(
        Voucher,
        person=["member"],
        fields="code item__name point__name price status issued_at expires_at used_at closed_at",
    )
    exclude_from_export("points.Voucher.used_by", "vouchers an operator handed to other members")
    exclude_from_export(
        "points.StockMovement.created_by", "stock counts an operator recorded: about items"
    )
