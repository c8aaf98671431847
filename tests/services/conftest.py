"""Factories and personas of the services tests."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Branch, Member
from rota.models import Organisation
from services.models import Activity, Category, Service
from tests.conftest import make_user

_seq = itertools.count(1)


def make_organisation(*, name: str | None = None, contact=None, backup=None) -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(
        name=name or f"测试组织{n}",
        short_name=name or f"组织{n}",
        kind=Organisation.Kind.SOCIAL_ORGANISATION,
        duty_contact=contact,
        backup_contact=backup,
    )


def category(code: str = "volunteer") -> Category:
    """One of the six categories the data migration seeded (re-created after a flush)."""
    from importlib import import_module

    seeded = dict(import_module("services.migrations.0003_seed_six_categories").CATEGORIES)
    return Category.objects.get_or_create(code=code, defaults={"name": seeded[code]})[0]


def make_service(
    *, title: str | None = None, description: str = "", code: str = "volunteer", providers=()
) -> Service:
    service = Service.objects.create(
        title=title or f"服务{next(_seq)}",
        description=description,
        category=category(code),
        venue=Service.Venue.SERVICE_HALL,
    )
    service.providers.add(*providers)
    return service


def make_member(*, name: str | None = None, user=None) -> Member:
    branch = Branch.objects.get_or_create(name="测试支部", defaults={"kind": Branch.Kind.CENTRE})[0]
    return Member.objects.create(
        name=name or f"党员{next(_seq)}", gender=Member.Gender.MALE, branch=branch, user=user
    )


def member_with_login(name: str | None = None) -> Member:
    n = next(_seq)
    user = make_user(email=f"m{n}@example.cn", phone=f"1350000{n:04d}")
    return make_member(name=name, user=user)


def make_activity(
    *,
    organisation: Organisation,
    capacity: int = 10,
    points: int = 5,
    starts_in: timedelta = timedelta(days=3),
    hours: int = 2,
    deadline_before: timedelta = timedelta(hours=1),
    title: str | None = None,
) -> Activity:
    starts = timezone.now() + starts_in
    return Activity.objects.create(
        title=title or f"活动{next(_seq)}",
        category=category("volunteer"),
        organisation=organisation,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        venue="红盟书吧",
        capacity=capacity,
        points=points,
        signup_deadline=starts - deadline_before,
    )


@pytest.fixture
def contact(db):
    """The duty contact of an alliance organisation (团县委)."""
    return make_user(email="contact@example.cn", phone="13600000011")


@pytest.fixture
def other_contact(db):
    return make_user(email="other@example.cn", phone="13600000012")


@pytest.fixture
def organisation(contact) -> Organisation:
    return make_organisation(name="团县委", contact=contact)


@pytest.fixture
def other_organisation(other_contact) -> Organisation:
    return make_organisation(name="晨曦社工", contact=other_contact)


@pytest.fixture
def service(organisation) -> Service:
    return make_service(
        title="青年联谊会", description="为园区单身青年牵线搭桥", providers=[organisation]
    )


@pytest.fixture
def member(member_user) -> Member:
    """The logged-in member persona with a member record."""
    return make_member(name="王小明", user=member_user)
