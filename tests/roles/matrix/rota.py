"""rota: organisations, blackouts, duty weeks, themes, meetings, swaps, reports, deliveries."""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse

from rota.models import DutyWeek
from tests.roles.matrix import ALL, OWN, AdminSpec, PageSpec

_n = itertools.count(1)


def grow_duty_weeks(world, count: int) -> None:
    for _ in range(count):
        DutyWeek.objects.create(
            week_start=dt.date(2027, 1, 4) + dt.timedelta(weeks=next(_n)),
            organisation=world["organisation"]["own"],
        )


ADMIN = [
    AdminSpec(
        model="rota.dutyweek",
        rows=lambda world: world["dutyweek"],
        allowed={
            "centre_staff": {
                "view": ALL,
                "change": ALL,
                "delete": ALL,
                "export": ALL,
                "add": ALL,
            },
            "alliance_contact": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.organisation.name,
        grow=grow_duty_weeks,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
]

PAGES = [
    PageSpec(
        name="rota:report_new",
        rows=lambda world: world["dutyweek"],
        url=lambda row: reverse("rota:report_new", args=[row.pk]),
        # Duty reports are filed by the organisation's contact; staff use the admin.
        allowed={"alliance_contact": OWN},
    ),
]
