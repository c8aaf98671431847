"""Admin changelists run the same number of queries with 2 or 12 more rows (no query per row).

Measured as centre staff (a role, not a superuser), so permission look-ups are included.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.audit import AuditEvent, record_event
from members.demo import demo_credit_code
from members.models import Enterprise, Member
from points.models import Item, Voucher
from rota.models import DutyWeek
from services.models import Activity, ServiceRequest
from tests.conftest import make_user

_n = itertools.count(1)


def add_rows(world, name: str, count: int) -> None:
    own = world["member"]["own"]
    now = timezone.now()
    for _ in range(count):
        n = next(_n)
        if name == "member":
            employer = Enterprise.objects.create(
                name=f"企业{n}", credit_code=demo_credit_code(7000 + n)
            )
            user = make_user(email=f"m{n}@example.cn", phone=f"1360000{n:04d}")
            Member.objects.create(
                name=f"成员{n}", gender="f", branch=own.branch, employer=employer, user=user
            )
        elif name == "auditevent":
            record_event(AuditEvent.Kind.ADMIN_CHANGE, user=world["users"]["auditor"], obj=own)
        elif name == "voucher":
            item = Item.objects.create(name=f"咖啡{n}", kind="coffee", price=10)
            Voucher.objects.create(
                code=f"V{n:07d}",
                member=own,
                item=item,
                point=world["voucher"]["own"].point,
                price=10,
                idempotency_key=f"k{n}",
                issued_at=now,
                expires_at=now + dt.timedelta(days=30),
            )
        elif name == "servicerequest":
            template = world["servicerequest"]["own"]
            requester = make_user(email=f"r{n}@example.cn", phone=f"1370000{n:04d}")
            ServiceRequest.objects.create(
                service=template.service,
                requester=requester,
                details="需要帮助",
                status="dispatched",
                organisation=template.organisation,
                dispatched_at=now,
            )
        elif name == "activity":
            template = world["activity"]["own"]
            Activity.objects.create(
                title=f"活动{n}",
                category=template.category,
                organisation=template.organisation,
                starts_at=template.starts_at,
                ends_at=template.ends_at,
                venue="红盟书吧",
                capacity=5,
                signup_deadline=template.signup_deadline,
            )
        elif name == "user":
            make_user(email=f"u{n}@example.cn", phone=f"1380000{n:04d}")
        elif name == "dutyweek":
            DutyWeek.objects.create(
                week_start=dt.date(2027, 1, 4) + dt.timedelta(weeks=n),
                organisation=world["dutyweek"]["own"].organisation,
            )


@pytest.mark.parametrize(
    ("name", "viewer"),
    [
        ("member", "centre_staff"),
        ("member", "branch_secretary"),
        ("auditevent", "auditor"),
        ("voucher", "centre_staff"),
        ("voucher", "operator"),
        ("servicerequest", "alliance_contact"),
        ("dutyweek", "alliance_contact"),
        ("dutyweek", "centre_staff"),
        ("activity", "alliance_contact"),
        ("activity", "centre_staff"),
        ("user", "centre_staff"),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(client, world, name, viewer):
    client.force_login(world["users"][viewer])
    url = reverse(f"admin:{_ADMIN[name]}_changelist")
    counts = []
    for extra in (2, 10):
        add_rows(world, name, extra)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    rows = response.context["cl"].result_count
    assert rows >= 12
    assert counts[0] == counts[1], f"{name}: {counts} queries for more rows"


_ADMIN = {
    "member": "members_member",
    "auditevent": "members_auditevent",
    "voucher": "points_voucher",
    "servicerequest": "services_servicerequest",
    "dutyweek": "rota_dutyweek",
    "activity": "services_activity",
    "user": "members_user",
}
