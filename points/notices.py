"""The points app's notice kinds (registered in PointsConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notices.kinds import NoticeKind, register

RECONCILIATION = "points.reconciliation"


def register_kinds() -> None:
    register(
        NoticeKind(
            key=RECONCILIATION,
            label=_("Points books that do not match"),
            template="points/notices/reconciliation.txt",
            staff_only=True,
            example={
                "differences": [
                    {"kind": "account", "id": 3, "cached": 120, "history": 100},
                    {"kind": "stock", "id": 1, "cached": 5, "history": 4},
                ]
            },
            example_link="/admin/points/reconciliationrun/1/change/",
        )
    )
