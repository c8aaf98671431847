"""Helpers for notice tests: send what the outbox holds, as a worker would."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from members.notices import actions
from members.notices.models import Delivery


def deliver_pending(now: dt.datetime | None = None) -> list[Delivery]:
    """Run `deliver` on every pending row (what the queued tasks do); return the rows."""
    now = now or timezone.now()
    rows = []
    for pk in Delivery.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True):
        row = actions.deliver(delivery_id=pk, now=now)
        if row is not None:
            rows.append(row)
    return rows
