"""What the cross-app pages put in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from deqing_hub.models import MemberMonthTotal
from members.exports import exclude_from_export, register_export


def register() -> None:
    register_export(MemberMonthTotal, person=["member"], fields="month points entries refreshed_at")
    exclude_from_export(
        "deqing_hub.ScoreFormula.created_by", "a ranking formula staff entered: about the ranking"
    )
    exclude_from_export(
        "deqing_hub.RankingSnapshot.published_by",
        "a month's ranking staff published: about every ranked member, not the publisher",
    )
