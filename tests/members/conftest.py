"""Fixtures for the members app: enterprises, branches, members, scoped staff, real xlsx files."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from deqing_hub import roles
from members.models import Branch, Member
from tests.conftest import make_user
from tests.factories import BranchFactory, EnterpriseFactory, MemberFactory

# Valid GB 11643 numbers: the standard's own printed example, then two Deqing-county numbers.
ID_NUMBERS = [
    "11010519491231002X",
    "330521198807150010",
    "330521199203041221",
]


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="德清中测新图地理信息有限公司")


@pytest.fixture
def branch(db, enterprise):
    branch = BranchFactory(name="中测新图党支部", kind=Branch.Kind.STANDALONE)
    branch.enterprises.add(enterprise)
    return branch


@pytest.fixture
def other_branch(db):
    return BranchFactory(name="党群服务中心党支部", kind=Branch.Kind.CENTRE)


@pytest.fixture
def member(db, branch, enterprise, member_user):
    """王小明 of the standalone branch, linked to the `member_user` login, with an ID number."""
    return MemberFactory(
        name="王小明",
        mobile="13812345678",
        email="member@example.cn",
        branch=branch,
        employer=enterprise,
        user=member_user,
        id_number_consent=True,
        id_number=ID_NUMBERS[0],  # the model's property: stored encrypted with its digest
        talent_programme=Member.TalentProgramme.SOUTH_TAIHU,
        talent_origin=Member.TalentOrigin.CULTIVATED,
    )


def grant(user, *codenames: str):
    """Give `user` the named permissions (app_label.codename) and drop the permission cache."""
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for cache in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user


@pytest.fixture
def secretary(db, branch):
    """Secretary of `branch`: staff who may view and change members, only of their branch."""
    user = make_user(email="secretary@example.cn", phone="13900000011", staff=True)
    grant(user, "members.view_member", "members.change_member", "members.view_branch")
    branch.secretary = user
    branch.save()
    return user


@pytest.fixture
def centre(db):
    """Centre staff as the role gives it (deqing_hub.roles), not a superuser."""
    roles.setup_roles()
    user = make_user(email="centre@example.cn", phone="13500000101", staff=True)
    user.groups.add(roles.group_of(roles.CENTRE_STAFF))
    return user


@pytest.fixture
def clerk(db):
    """Centre staff who see every branch but may not reveal personal data."""
    user = make_user(email="clerk@example.cn", phone="13900000012", staff=True)
    return grant(
        user,
        "members.view_member",
        "members.change_member",
        "members.add_member",
        "members.view_all_branches",
        "members.import_member",
        "members.export_member",
    )


def xlsx_bytes(headers: list, rows: list[list]) -> bytes:
    """A real .xlsx workbook written by openpyxl."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_xlsx(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


MEMBER_HEADERS = ["编号", "姓名", "性别", "手机号", "身份证号", "同意保存身份证号", "所在支部"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is right for production and slow for hundreds of test logins."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
