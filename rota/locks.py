"""Row locks of the rota, taken in one place and always in ascending primary-key order.

Swap approval and acknowledgement both touch duty weeks; locking by pk order means two of them
touching the same pair of weeks wait for each other instead of deadlocking.
"""

from __future__ import annotations

from rota.models import DutyWeek, Organisation, SwapRequest


def lock_generation() -> None:
    """Serialise rota generation: lock every organisation row (pk order) until commit.

    Two staff generating overlapping ranges at once would otherwise both delete and redraw
    the same planned weeks and one would fail on the one-duty-per-week constraint.
    """
    list(Organisation.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


def lock_weeks(*ids: int) -> dict[int, DutyWeek]:
    rows = DutyWeek.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {week.pk: week for week in rows}


def lock_swap(pk: int) -> SwapRequest:
    return SwapRequest.objects.select_for_update().get(pk=pk)
