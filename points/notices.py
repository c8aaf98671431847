"""The points app's notice kinds (registered by PointsConfig)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notices.kinds import NoticeKind

RECONCILIATION = "points.reconciliation"
VOUCHER_EXPIRING = "points.voucher_expiring"

KINDS = (
    NoticeKind(
        key=RECONCILIATION,
        label=_("Points books that do not match"),
        staff_only=True,
        example={
            "differences": [
                {"kind": "account", "id": 3, "cached": 120, "history": 100},
                {"kind": "stock", "id": 1, "cached": 5, "history": 4},
            ]
        },
        example_link="/admin/points/reconciliationrun/1/change/",
    ),
    NoticeKind(
        key=VOUCHER_EXPIRING,
        label=_("A voucher about to expire"),
        example={"item": "咖啡", "point": "红盟书吧兑换点", "expires": "2026-12-05 18:00"},
        example_link="/points/vouchers/ABCD2345/",
    ),
)
