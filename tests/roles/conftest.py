"""A small world with two of everything: one inside each role's scope, one outside."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from deqing_hub import roles
from members.audit import AuditEvent, record_event
from members.demo import demo_credit_code
from members.models import Enterprise
from points.models import Voucher
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    BranchFactory,
    CategoryFactory,
    ClaimFactory,
    DutyWeekFactory,
    EnterpriseFactory,
    ExchangePointFactory,
    ItemFactory,
    MemberFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRequestFactory,
    WishFactory,
)


def role_user(email: str, role: roles.Role | None, phone: str):
    user = make_user(email=email, phone=phone, staff=True)
    if role is not None:
        user.groups.add(roles.group_of(role))
    return user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Users of every role and, per scoped model, an own ('own') and a foreign ('other') row."""
    roles.setup_roles()
    phones = (f"1350000010{n}" for n in itertools.count())
    users = {
        "centre_staff": role_user("centre@example.cn", roles.CENTRE_STAFF, next(phones)),
        "branch_secretary": role_user("secretary@example.cn", roles.BRANCH_SECRETARY, next(phones)),
        "alliance_contact": role_user("contact@example.cn", roles.ALLIANCE_CONTACT, next(phones)),
        "operator": role_user("operator@example.cn", roles.EXCHANGE_POINT_OPERATOR, next(phones)),
        "auditor": role_user("auditor@example.cn", roles.AUDITOR, next(phones)),
        "no_role": role_user("norole@example.cn", None, next(phones)),
        # A member with a web login and no admin access (public pages only).
        "member": make_user(email="member@example.cn", phone=next(phones)),
    }
    branches = {
        "own": BranchFactory(
            name="中测新图党支部", kind="standalone", secretary=users["branch_secretary"]
        ),
        "other": BranchFactory(name="党群服务中心党支部", kind="centre"),
    }
    # A standalone branch is one enterprise's (the branch form refuses it otherwise, and the
    # matrix posts that form back as it was rendered).
    branches["own"].enterprises.add(
        EnterpriseFactory(
            name="中测新图公司",
            credit_code=demo_credit_code(6001),
            industry=Enterprise.Industry.OTHER,
        )
    )
    members = {
        key: MemberFactory(name=name, mobile="", branch=branches[key])
        for key, name in [("own", "王小明"), ("other", "李大伟")]
    }
    MemberFactory(
        name="陈会员", gender="f", mobile="", branch=branches["own"], user=users["member"]
    )
    orgs = {
        "own": OrganisationFactory(
            name="团县委", kind="bureau", duty_contact=users["alliance_contact"]
        ),
        "other": OrganisationFactory(name="晨曦社工", kind="social"),
    }
    monday = dt.date(2026, 11, 23)
    weeks = {
        key: DutyWeekFactory(
            week_start=monday + dt.timedelta(days=7 * i),
            organisation=orgs[key],
            planned_organisation=None,
        )
        for i, key in enumerate(("own", "other"))
    }
    points = {
        "own": ExchangePointFactory(name="红盟书吧兑换点", operators=[users["operator"]]),
        "other": ExchangePointFactory(name="服务大厅兑换点"),
    }
    item = ItemFactory(name="电影票", kind="cinema_ticket", price=50)
    now = timezone.now()
    vouchers = {
        key: Voucher.objects.create(
            code=code,
            member=members[key],
            item=item,
            point=points[key],
            price=50,
            idempotency_key=f"key-{key}",
            issued_at=now,
            expires_at=now + dt.timedelta(days=30),
        )
        for key, code in [("own", "OWNA1234"), ("other", "OTHB5678")]
    }
    category = CategoryFactory(code="volunteer")
    service = ServiceFactory(title="青年联谊会", category=category, venue="hall")
    requester = make_user(email="asker@example.cn", phone="13700000099")
    requests = {
        key: ServiceRequestFactory(
            service=service,
            requester=requester,
            details=f"需要帮助 {key}",
            status="dispatched",
            organisation=orgs[key],
            dispatched_at=now,
        )
        for key in ("own", "other")
    }
    activities = {
        key: ActivityFactory(
            title=title,
            category=category,
            organisation=orgs[key],
            starts_at=now + dt.timedelta(days=3),
            ends_at=now + dt.timedelta(days=3, hours=2),
            venue="红盟书吧",
            capacity=10,
            points=5,
            signup_deadline=now + dt.timedelta(days=2),
        )
        for key, title in [("own", "读书会"), ("other", "徒步")]
    }
    wishes = {
        key: WishFactory(
            title=title,
            text="希望开通小镇到城区的公交线路。",
            category=category,
            wisher=requester,
            status="claimed",
            published_at=now,
        )
        for key, title in [("own", "通勤班车"), ("other", "图书角")]
    }
    claims = {
        key: ClaimFactory(
            wish=wishes[key],
            organisation=orgs[key],
            promised_on=monday + dt.timedelta(days=30),
            claimed_by=users["alliance_contact"] if key == "own" else requester,
        )
        for key in ("own", "other")
    }
    audit = record_event(AuditEvent.Kind.LOGOUT, user=users["centre_staff"])
    return {
        "users": users,
        # The shared parts each app's matrix spec builds its rows from.
        "branch": branches,
        "organisation": orgs,
        "point": points,
        "item": item,
        "category": category,
        "service": service,
        "requester": requester,
        "monday": monday,
        "now": now,
        "member": members,
        "dutyweek": weeks,
        "voucher": vouchers,
        "servicerequest": requests,
        "activity": activities,
        "claim": claims,
        "auditevent": {"own": audit, "other": audit},
    }
