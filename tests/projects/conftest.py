"""Personas of the projects tests: centre staff, a branch secretary, members with logins."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from deqing_hub import roles
from members.models import Branch, Member
from services.projects import actions
from services.projects.models import Project
from tests.conftest import make_user

_phones = (f"1360000{n:04d}" for n in itertools.count(100))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(email: str, *, role: roles.Role | None = None, **extra):
    user = make_user(email=email, phone=next(_phones), staff=role is not None, **extra)
    if role is not None:
        user.groups.add(roles.group_of(role))
    return user


def member_with_login(name: str, branch: Branch, email: str) -> Member:
    return Member.objects.create(
        name=name, gender="f", branch=branch, user=login(email, last_name=name)
    )


@pytest.fixture
def centre(db):
    roles.setup_roles()
    return login("centre@example.cn", role=roles.CENTRE_STAFF)


@pytest.fixture
def secretary(db):
    roles.setup_roles()
    return login("secretary@example.cn", role=roles.BRANCH_SECRETARY)


@pytest.fixture
def branch(secretary):
    return Branch.objects.create(name="中测新图党支部", kind="standalone", secretary=secretary)


@pytest.fixture
def other_branch(db):
    return Branch.objects.create(name="党群服务中心党支部", kind="centre")


@pytest.fixture
def leader(branch):
    return member_with_login("叶冬梅", branch, "ye@example.cn")


@pytest.fixture
def teammate(branch):
    return member_with_login("沈佳", branch, "shen@example.cn")


@pytest.fixture
def rater(db):
    return login("public@example.cn")


@pytest.fixture
def project(branch, secretary) -> Project:
    return actions.set_project(
        title="“德清跑步节”APP",
        goal="为县体育中心开发跑步节报名与成绩APP。",
        outcome="一个半月内上线，报名人数不少于3000人。",
        deadline=timezone.localdate() + dt.timedelta(days=45),
        branch=branch,
        by=secretary,
    )


def deliver(project: Project, leader: Member, runner) -> Project:
    """Claim, report progress and open rating: the project in its public rating window."""
    actions.claim_project(project=project, member=leader, pledge="一个半月完成开发并上线。")
    actions.report_progress(project=project, by=leader.user, text="完成报名模块。")
    return actions.open_rating(
        project=project, by=runner, closes_at=timezone.now() + dt.timedelta(days=7)
    )


def new_project(title: str, branch: Branch, by) -> Project:
    """An open project of `branch`, due in a month and a half."""
    return actions.set_project(
        title=title,
        goal="目标",
        outcome="成果",
        deadline=timezone.localdate() + dt.timedelta(days=45),
        branch=branch,
        by=by,
    )


def finished(title: str, leader: Member, centre, *, rater=None, stars: int = 0) -> Project:
    """A project of `leader`'s branch set, claimed, delivered and completed by centre staff;
    rated `stars` by `rater` while its rating was open."""
    project = new_project(title, leader.branch, centre)
    deliver(project, leader, centre)
    if rater is not None:
        actions.rate_project(project=project, by=rater, score=stars, reason="按期上线。")
    # An hour on: a clock frozen by a test would close the rating the instant it opened.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        return actions.complete_project(project=project, by=centre)
