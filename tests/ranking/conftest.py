"""A small town whose October 2026 ranking is worked out by hand in test_compute.py.

"Today" is 2026-11-10 (Asia/Shanghai), so October is over and can be closed.
Default weights (migration 0002): duty week 10, report 5, service 2, wish fulfilled 3,
wish confirmed 2, activity 3, rating star 0.2.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine

from members.models import Branch, Member
from points import actions as points_actions
from rota.models import DutyReport, DutyWeek, Organisation
from services.models import Activity, Category, Service, ServiceRecord, ServiceRequest
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchFactory,
    CategoryFactory,
    ClaimFactory,
    DutyWeekFactory,
    MemberFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRecordFactory,
    ServiceRequestFactory,
    WishFactory,
)
from wishes.models import Wish

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)


def at(day: int, month: int = 10, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def award(member: Member, amount: int, when: dt.datetime, reason: str = "志愿服务"):
    return points_actions.award(
        member=member, amount=amount, reason=reason, source=f"test:{uuid.uuid4()}", at=when
    )


def make_member(name: str, branch: Branch, *, consent: bool, active: bool = True) -> Member:
    return MemberFactory(
        name=name, mobile="", branch=branch, ranking_consent=consent, is_active=active
    )


def make_org(name: str, kind=Organisation.Kind.SOCIAL_ORGANISATION) -> Organisation:
    return OrganisationFactory(name=name, kind=kind)


def first_category() -> Category:
    return Category.objects.order_by("position").first() or CategoryFactory(
        code="help", name="志愿帮扶"
    )


def service_for(org: Organisation) -> Service:
    return ServiceFactory(category=first_category(), providers=[org])


def record(org: Organisation, day: dt.date) -> ServiceRecord:
    return ServiceRecordFactory(service=service_for(org), organisation=org, delivered_on=day)


def rated_request(org: Organisation, stars: int, when: dt.datetime, requester) -> ServiceRequest:
    return ServiceRequestFactory(
        service=service_for(org),
        requester=requester,
        status=ServiceRequest.Status.COMPLETED,
        organisation=org,
        completed_at=when,
        rating=stars,
        rated_at=when,
    )


def granted_wish(
    org: Organisation, *, fulfilled: dt.datetime, confirmed: dt.datetime | None, wisher
):
    wish = WishFactory(
        category=first_category(),
        wisher=wisher,
        status=Wish.Status.CONFIRMED if confirmed else Wish.Status.FULFILLED,
        published_at=fulfilled - dt.timedelta(days=5),
        fulfilled_at=fulfilled,
        confirmed_at=confirmed,
    )
    ClaimFactory(wish=wish, organisation=org, promised_on=fulfilled.date(), claimed_by=wisher)
    return wish


def activity(org: Organisation, when: dt.datetime, *, published: bool = True) -> Activity:
    return ActivityFactory(
        category=first_category(),
        organisation=org,
        starts_at=when,
        capacity=20,
        signup_deadline=when,
        is_published=published,
    )


def duty_week(org: Organisation, monday: dt.date, status, *, report: bool = False) -> DutyWeek:
    week = DutyWeekFactory(
        week_start=monday, organisation=org, planned_organisation=None, status=status
    )
    if report:
        DutyReport.objects.create(duty_week=week, summary="开展服务")
    return week


@pytest.fixture(autouse=True)
def _no_drawn_month_pages():
    """Each test starts without the published month pages a worker keeps drawn in memory (as
    the cache starts empty): its query counts are those of a fresh worker."""
    from deqing_hub import ranking_views

    ranking_views._DRAWN.clear()
    ranking_views._WHOLE.clear()
    yield
    ranking_views._DRAWN.clear()
    ranking_views._WHOLE.clear()


@pytest.fixture(autouse=True)
def first_formula(db):
    """The formula migration 0002 creates; restored after a transactional test flushed it."""
    from deqing_hub.models import ScoreFormula

    return ScoreFormula.objects.get_or_create(effective_from=dt.date(2016, 10, 1))[0]


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


@pytest.fixture
def town(db, today):
    """Members, branches, organisations and their October 2026 records (see test_compute)."""
    wisher = make_user(email="wisher@example.cn", phone="13500000005")
    a = BranchFactory(name="甲支部", kind=Branch.Kind.STANDALONE)
    b = BranchFactory(name="乙支部", kind=Branch.Kind.JOINT)
    wang = make_member("王小明", a, consent=True)
    li = make_member("李四海", a, consent=False)
    zhang = make_member("张三丰", b, consent=True)
    chen = make_member("陈七星", b, consent=True)
    make_member("钱八", b, consent=True)  # no points: counts as a member of branch B
    make_member("孙九", b, consent=True, active=False)  # inactive: not counted

    award(wang, 10, at(3))
    award(wang, 5, at(20))
    award(li, 15, at(8))
    award(zhang, 8, at(9))
    award(chen, 8, at(10))
    award(chen, 50, at(28, month=9))  # September: not October
    points_actions.adjust(member=chen, amount=100, reason="补录", by=wisher)  # not earned

    youth = make_org("共青团德清县委员会", Organisation.Kind.COUNTY_BUREAU)
    youth.short_name = "团县委"
    youth.save()
    chenxi = make_org("晨曦社工")
    transport = make_org("县运管局", Organisation.Kind.COUNTY_BUREAU)
    zhangjia = make_org("张家协会")
    lijia = make_org("李家协会")
    OrganisationFactory(name="停用协会", is_active=False)

    duty_week(youth, dt.date(2026, 10, 5), DutyWeek.Status.DONE, report=True)
    duty_week(chenxi, dt.date(2026, 10, 12), DutyWeek.Status.CONFIRMED)
    duty_week(transport, dt.date(2026, 10, 19), DutyWeek.Status.MISSED)
    duty_week(zhangjia, dt.date(2026, 9, 28), DutyWeek.Status.DONE, report=True)  # September

    record(youth, dt.date(2026, 10, 6))
    record(youth, dt.date(2026, 10, 7))
    for day in (13, 14, 15):
        record(chenxi, dt.date(2026, 10, day))
    record(chenxi, dt.date(2026, 9, 30))  # September

    granted_wish(transport, fulfilled=at(16), confirmed=at(18), wisher=wisher)
    granted_wish(transport, fulfilled=at(25, month=9), confirmed=at(2), wisher=wisher)

    activity(chenxi, at(14))
    activity(chenxi, at(15), published=False)

    rated_request(youth, 5, at(9), wisher)
    rated_request(chenxi, 4, at(20), wisher)
    return {
        "branches": {"a": a, "b": b},
        "members": {"wang": wang, "li": li, "zhang": zhang, "chen": chen},
        "orgs": {
            "youth": youth,
            "chenxi": chenxi,
            "transport": transport,
            "zhangjia": zhangjia,
            "lijia": lijia,
        },
        "wisher": wisher,
    }
