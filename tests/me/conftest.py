"""A member with a history in every app: the persona of the /me/ and /me/export/ tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from members.models import Branch, Member
from points import actions as points_actions
from points.models import ExchangePoint, Item, Voucher
from rota.models import DutyWeek, Organisation, monday_of
from services import actions as services_actions
from services.models import Activity, ServiceRequest, SignUp
from tests.factories import (
    ActivityFactory,
    BranchFactory,
    ClaimFactory,
    DutyWeekFactory,
    ExchangePointFactory,
    ItemFactory,
    MemberFactory,
    OrganisationFactory,
    ServiceRequestFactory,
    WishFactory,
)
from wishes.models import Wish


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(db, member_user) -> Member:
    branch = BranchFactory(name="中测新图党支部", kind=Branch.Kind.STANDALONE)
    return MemberFactory(name="王小明", mobile="13812345678", branch=branch, user=member_user)


@pytest.fixture
def point(db) -> ExchangePoint:
    return ExchangePointFactory(name="红盟书吧兑换点")


@pytest.fixture
def coffee(point) -> Item:
    item = ItemFactory(name="咖啡", price=10, kind=Item.Kind.COFFEE)
    points_actions.restock(point=point, item=item, quantity=5, reason="进货")
    return item


@dataclass
class History:
    voucher: Voucher
    wish: Wish
    request: ServiceRequest
    activity: Activity
    past_activity: Activity
    organisation: Organisation
    week: DutyWeek


@pytest.fixture
def history(member, member_user, point, coffee) -> History:
    """王小明 earned 100 points, bought a coffee, posted a wish, claimed another for the
    organisation he is the duty contact of, asked for a service, signed up for an activity and
    attended another, and his organisation holds next week's duty."""
    points_actions.award(member=member, amount=100, reason="志愿服务", source="test:history")
    voucher = points_actions.redeem(
        member=member, item=coffee, point=point, idempotency_key="history"
    )
    organisation = OrganisationFactory(name="县文明办", duty_contact=member_user)
    wish = WishFactory(title="希望开通公交", wisher=member_user)
    ClaimFactory(
        wish=WishFactory(title="为老人修水管", status=Wish.Status.CLAIMED),
        organisation=organisation,
        claimed_by=member_user,
        promised_on=timezone.localdate() + dt.timedelta(days=7),
    )
    request = ServiceRequestFactory(requester=member_user, details="政策咨询")
    activity = ActivityFactory(title="垃圾分类宣传")
    services_actions.sign_up(activity=activity, member=member)
    past_activity = ActivityFactory(
        title="植树活动",
        organisation=organisation,
        starts_at=timezone.now() - dt.timedelta(minutes=10),
        signup_deadline=timezone.now() - dt.timedelta(hours=1),
    )
    SignUp.objects.create(activity=past_activity, member=member)  # signed up in time
    services_actions.tick_attendance(activity=past_activity, members=[member], by=member_user)
    week = DutyWeekFactory(
        organisation=organisation,
        week_start=monday_of(timezone.localdate()) + dt.timedelta(weeks=1),
    )
    return History(voucher, wish, request, activity, past_activity, organisation, week)
