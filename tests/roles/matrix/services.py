"""services: categories, the catalogue, requests, records, activities, sign-ups, attendance."""

from __future__ import annotations

import itertools

from django.urls import reverse

from services.models import Activity, ServiceRequest
from tests.conftest import make_user
from tests.roles.matrix import ALL, OWN, AdminSpec, PageSpec

_n = itertools.count(1)


def grow_requests(world, count: int) -> None:
    template = world["servicerequest"]["own"]
    for _ in range(count):
        n = next(_n)
        ServiceRequest.objects.create(
            service=template.service,
            requester=make_user(email=f"r{n}@example.cn", phone=f"1370000{n:04d}"),
            details="需要帮助",
            status="dispatched",
            organisation=template.organisation,
            dispatched_at=world["now"],
        )


def grow_activities(world, count: int) -> None:
    template = world["activity"]["own"]
    for _ in range(count):
        Activity.objects.create(
            title=f"活动{next(_n)}",
            category=template.category,
            organisation=template.organisation,
            starts_at=template.starts_at,
            ends_at=template.ends_at,
            venue="红盟书吧",
            capacity=5,
            signup_deadline=template.signup_deadline,
        )


ADMIN = [
    AdminSpec(
        model="services.servicerequest",
        rows=lambda world: world["servicerequest"],
        allowed={
            # Staff also take requests made by telephone or at the counter.
            "centre_staff": {"view": ALL, "change": ALL, "delete": ALL, "add": ALL},
            "alliance_contact": {"view": OWN},
        },
        grow=grow_requests,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="services.activity",
        rows=lambda world: world["activity"],
        allowed={
            "centre_staff": {"view": ALL, "change": ALL, "delete": ALL, "add": ALL},
            "alliance_contact": {"view": OWN, "change": OWN},
        },
        grow=grow_activities,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
]

PAGES = [
    PageSpec(
        name="services:request_detail",
        rows=lambda world: world["servicerequest"],
        url=lambda row: reverse("services:request_detail", args=[row.pk]),
        allowed={"centre_staff": ALL, "alliance_contact": OWN},
    ),
    PageSpec(
        name="services:activity_desk",
        rows=lambda world: world["activity"],
        url=lambda row: reverse("services:activity_desk", args=[row.pk]),
        allowed={"centre_staff": ALL, "alliance_contact": OWN},
    ),
]
