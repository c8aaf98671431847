"""Factories and personas of the points tests: members, exchange points, items, stock."""

from __future__ import annotations

import uuid

import pytest

from members.models import Branch, Member
from points import actions
from points.models import ExchangePoint, Item
from tests.conftest import make_user
from tests.factories import ExchangePointFactory, ItemFactory, MemberFactory


def make_member(*, name: str | None = None, user=None, branch: Branch | None = None) -> Member:
    """A member of one shared test branch (or `branch`), with no mobile."""
    branch = (
        branch
        or Branch.objects.get_or_create(name="测试支部", defaults={"kind": Branch.Kind.CENTRE})[0]
    )
    named = {"name": name} if name else {}
    return MemberFactory(**named, gender=Member.Gender.FEMALE, mobile="", branch=branch, user=user)


def stock_up(point: ExchangePoint, item: Item, quantity: int) -> None:
    actions.restock(point=point, item=item, quantity=quantity, reason="进货")


def funded_member(points: int, **kwargs) -> Member:
    member = make_member(**kwargs)
    if points:
        source = f"test:{uuid.uuid4()}"
        actions.award(member=member, amount=points, reason="志愿服务", source=source)
    return member


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Argon2 is deliberately slow; these tests create many logins and never test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(member_user) -> Member:
    """The logged-in member persona, with a member record and 100 points."""
    return funded_member(100, name="王小明", user=member_user)


@pytest.fixture
def operator(db):
    """An exchange-point operator's login."""
    return make_user(email="operator@example.cn", phone="13600000004")


@pytest.fixture
def point(operator) -> ExchangePoint:
    return ExchangePointFactory(name="红盟书吧兑换点", operators=[operator])


@pytest.fixture
def coffee(point) -> Item:
    item = ItemFactory(name="咖啡", price=10, kind=Item.Kind.COFFEE)
    stock_up(point, item, 50)
    return item
