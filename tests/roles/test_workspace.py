"""The staff workspace (工作台): each role's queues, counted against the records built here.

Given the roles' world (one row inside each role's scope, one outside) and, per queue, rows
that are due and rows that are not, when each role opens the admin's first page, then it
sees exactly its role's queues with the counts below, and each queue's link opens a
changelist that lists exactly that many rows.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from members.notices.models import Delivery as NoticeDelivery
from members.notices.models import Notice
from points.models import Item, Stock, Voucher
from rota.models import DutyWeek, SwapRequest
from services.models import ServiceRequest
from wishes.models import Claim, Wish

# Wednesday of the world's duty week (conftest: Monday 2026-11-23), in the centre's time zone.
TODAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

EXPECTED = {
    "centre_staff": {
        "wishes_to_verify": 2,
        "overdue_wishes": 3,
        "overdue_claims": 2,
        "requests_to_dispatch": 2,
        "overdue_requests": 3,
        "swaps_to_approve": 1,
        "unacknowledged_weeks": 2,
        "reports_missing": 2,
        "vouchers_waiting": 2,
        "low_stock": 2,
        "failed_notices": 1,
        "locked_accounts": 1,
    },
    "branch_secretary": {},
    "alliance_contact": {
        "overdue_claims": 1,
        "overdue_requests": 1,
        "unacknowledged_weeks": 1,
        "reports_missing": 1,
    },
    "operator": {"vouchers_waiting": 1, "low_stock": 1},
    "auditor": {"locked_accounts": 1},
}


@pytest.fixture
def frozen():
    # Before `world`, so its rows are dated on the same day as the queues are counted.
    with time_machine.travel(TODAY, tick=False):
        yield


def _week(world, key: str, monday: dt.date, **fields) -> DutyWeek:
    return DutyWeek.objects.create(
        week_start=monday, organisation=world["organisation"][key], **fields
    )


def _wish(world, title: str, status: str, **fields) -> Wish:
    return Wish.objects.create(
        title=title,
        text="希望有人帮忙。",
        category=world["category"],
        wisher=world["requester"],
        status=status,
        **fields,
    )


def _request(world, status: str, age: dt.timedelta, key: str | None = None) -> ServiceRequest:
    now = timezone.now()
    row = ServiceRequest.objects.create(
        service=world["service"],
        requester=world["requester"],
        details="需要帮助",
        status=status,
        organisation=world["organisation"][key] if key else None,
        dispatched_at=now - age if key else None,
    )
    # created_at is set on save; the request is dated back as if it came in `age` ago.
    ServiceRequest.objects.filter(pk=row.pk).update(created_at=now - age)
    return row


@pytest.fixture
def due(frozen, world):
    """Per queue: due rows inside and outside the roles' scopes, and rows that are not due."""
    now = timezone.now()
    today = timezone.localdate()
    monday = world["monday"]
    # Duty weeks. The world's own week (under way) and other week (next) are planned: both
    # not acknowledged. Two ended without a report (own, other); one far ahead and one
    # acknowledged are not due.
    _week(world, "own", monday - dt.timedelta(days=7))
    _week(world, "other", monday - dt.timedelta(days=14))
    far = _week(world, "own", monday + dt.timedelta(days=21))
    _week(world, "other", monday + dt.timedelta(days=14), status=DutyWeek.Status.CONFIRMED)
    # Wishes: two waiting for verification; one on the wall for too long; two past the
    # promised date (one claimed by the contact's organisation, one by the other).
    _wish(world, "轮椅", Wish.Status.SUBMITTED)
    _wish(world, "台灯", Wish.Status.SUBMITTED)
    _wish(world, "旧书", Wish.Status.PUBLISHED, published_at=now - dt.timedelta(days=30))
    _wish(world, "雨伞", Wish.Status.PUBLISHED, published_at=now)
    for key in ("own", "other"):
        late = _wish(world, f"迟到 {key}", Wish.Status.IN_PROGRESS, published_at=now)
        Claim.objects.create(
            wish=late,
            organisation=world["organisation"][key],
            promised_on=today - dt.timedelta(days=1),
            claimed_by=world["requester"],
        )
    # Service requests: two new ones (one waiting too long), one late answer per organisation.
    _request(world, "requested", dt.timedelta(days=5))
    _request(world, "requested", dt.timedelta(hours=1))
    _request(world, "dispatched", dt.timedelta(days=5), "own")
    _request(world, "dispatched", dt.timedelta(days=5), "other")
    # Swaps: one agreed by both organisations waits for the centre; one not yet answered.
    weeks = world["dutyweek"]
    SwapRequest.objects.create(
        from_week=weeks["own"],
        to_week=weeks["other"],
        from_organisation=world["organisation"]["own"],
        to_organisation=world["organisation"]["other"],
        status=SwapRequest.Status.ACCEPTED,
        requested_by=world["users"]["alliance_contact"],
    )
    SwapRequest.objects.create(
        from_week=far,
        to_week=DutyWeek.objects.get(week_start=monday + dt.timedelta(days=14)),
        from_organisation=world["organisation"]["own"],
        to_organisation=world["organisation"]["other"],
        requested_by=world["users"]["alliance_contact"],
    )
    # Vouchers: the world's two are waiting (own point, other point); a collected one is not.
    Voucher.objects.create(
        code="USED9999",
        member=world["member"]["own"],
        item=world["item"],
        point=world["point"]["own"],
        price=50,
        idempotency_key="key-used",
        issued_at=now,
        expires_at=now + dt.timedelta(days=30),
        status=Voucher.Status.USED,
    )
    # Stock: one low at each point; plenty of another item is not due.
    coffee = Item.objects.create(name="咖啡", kind="coffee", price=10)
    Stock.objects.create(point=world["point"]["own"], item=world["item"], quantity=2)
    Stock.objects.create(point=world["point"]["other"], item=world["item"], quantity=0)
    Stock.objects.create(point=world["point"]["own"], item=coffee, quantity=40)
    # Notices: one failed delivery, one sent.
    notice = Notice.objects.create(
        kind="services.request_step",
        event="test:1",
        user=world["requester"],
        subject="x",
        language="zh-hans",
    )
    for channel, status in (("email", "failed"), ("sms", "sent")):
        NoticeDelivery.objects.create(
            notice=notice,
            channel=channel,
            body="x",
            status=status,
            next_attempt_at=timezone.now(),
            sent_at=timezone.now() if status == "sent" else None,
        )
    # Logins: one locked out, one with a failure or two.
    for username, failures in (("locked", settings.AXES_FAILURE_LIMIT), ("typo", 2)):
        AccessAttempt.objects.create(
            username=username,
            ip_address="10.0.0.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/admin/login/",
            get_data="",
            post_data="",
            failures_since_start=failures,
        )
    return world


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_queues_counted_and_linked(due, role):
    client = _client(due["users"][role])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    queues = {queue.key: queue for queue in response.context["queues"]}
    assert {key: queue.count for key, queue in queues.items()} == EXPECTED[role]
    html = response.content.decode()
    for queue in queues.values():
        assert f'data-queue="{queue.key}"' in html
        listed = client.get(queue.url)
        assert listed.status_code == 200, queue.url
        assert listed.context["cl"].result_count == queue.count, queue.key


def test_a_role_without_queues_is_told_so(due):
    response = _client(due["users"]["branch_secretary"]).get(reverse("admin:index"))

    assert response.context["queues"] == []
    assert (
        gettext("No queue belongs to your role; the lists below are what you may open.")
        in response.content.decode()
    )


def test_a_contact_sees_their_calendar_link_and_renews_it(world):
    own, other = world["organisation"]["own"], world["organisation"]["other"]
    for organisation in (own, other):
        organisation.feed_token = organisation.new_feed_token()
        organisation.save()
    client = _client(world["users"]["alliance_contact"])

    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("rota:organisation_feed", args=[own.feed_token]) in page
    assert other.feed_token not in page
    old = own.feed_token
    renew = reverse("admin:rota_organisation_step", args=[own.pk, "renew_feed"])
    assert renew in page
    assert client.post(renew).status_code == 302
    own.refresh_from_db()
    assert own.feed_token and own.feed_token != old
    assert client.get(reverse("rota:organisation_feed", args=[old])).status_code == 404
    # Another organisation's link is not theirs to renew (out of scope: 404, unchanged).
    other_renew = reverse("admin:rota_organisation_step", args=[other.pk, "renew_feed"])
    token = other.feed_token
    assert client.post(other_renew).status_code == 404
    other.refresh_from_db()
    assert other.feed_token == token


def test_centre_staff_see_no_calendar_of_their_own(world):
    response = _client(world["users"]["centre_staff"]).get(reverse("admin:index"))

    assert response.context["calendars"] == []


def _counts(client: Client) -> dict[str, int]:
    html = client.get(reverse("admin:index")).content.decode()
    return {
        key: int(count)
        for key, count in re.findall(
            r'data-queue="(\w+)">\s*<a href="[^"]*">\s*<span class="queue-count">(\d+)<', html
        )
    }


def test_the_stored_workspace_is_the_accounts_own_and_moves_with_its_queues(due):
    """The page is stored per account (members.page_cache.own_page): a hit reads the session,
    the user and the two counts no save moves; a new wish, an unlocked login show at once."""
    staff = _client(due["users"]["centre_staff"])
    operator = _client(due["users"]["operator"])
    assert _counts(staff) == EXPECTED["centre_staff"]
    assert _counts(staff) == EXPECTED["centre_staff"]
    with CaptureQueriesContext(connection) as queries:
        assert staff.get(reverse("admin:index")).status_code == 200
    assert len(queries) == 4
    assert _counts(operator) == EXPECTED["operator"]

    _wish(due, "助听器", Wish.Status.SUBMITTED)
    AccessAttempt.objects.filter(username="locked").delete()  # axes: no portal record moves

    assert _counts(staff) == {
        **EXPECTED["centre_staff"],
        "wishes_to_verify": 3,
        "locked_accounts": 0,
    }
