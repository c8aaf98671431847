"""Factories and personas of the services tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Branch, Member
from rota.models import Organisation
from services.models import Activity, Category, Service
from tests.conftest import make_user
from tests.factories import (
    ActivityFactory,
    CategoryFactory,
    MemberFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
)


def make_organisation(*, name: str | None = None, contact=None, backup=None) -> Organisation:
    named = {"name": name, "short_name": name} if name else {}
    return OrganisationFactory(**named, duty_contact=contact, backup_contact=backup)


def category(code: str = "volunteer") -> Category:
    """One of the six categories the data migration seeded (re-created after a flush)."""
    return CategoryFactory(code=code)


def make_service(
    *, title: str | None = None, description: str = "", code: str = "volunteer", providers=()
) -> Service:
    return ServiceFactory(
        **({"title": title} if title else {}),
        description=description,
        category=category(code),
        providers=list(providers),
    )


def make_member(*, name: str | None = None, user=None) -> Member:
    """A member of one shared test branch, with no mobile."""
    branch = Branch.objects.get_or_create(name="测试支部", defaults={"kind": Branch.Kind.CENTRE})[0]
    named = {"name": name} if name else {}
    return MemberFactory(**named, mobile="", branch=branch, user=user)


def member_with_login(name: str | None = None) -> Member:
    return make_member(name=name, user=UserFactory())


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
    return ActivityFactory(
        **({"title": title} if title else {}),
        organisation=organisation,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
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
