"""Factories and personas of the rota tests."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from rota.models import DutyWeek, Organisation
from tests.factories import DutyWeekFactory, OrganisationFactory, UserFactory

_seq = itertools.count(1)


def make_contact(label: str | None = None, *, phone: bool = True):
    n = next(_seq)
    return UserFactory(
        email=f"{label or 'contact'}{n}@example.cn",
        first_name=f"联系人{n}",
        **({} if phone else {"phone": None}),
    )


def make_org(
    name: str | None = None, *, kind=Organisation.Kind.SOCIAL_ORGANISATION, contacts=True, **extra
):
    """An organisation with a duty and a backup contact (each a login with a mobile)."""
    return OrganisationFactory(
        **({"name": name} if name else {}),
        kind=kind,
        duty_contact=make_contact("duty") if contacts else None,
        backup_contact=make_contact("backup") if contacts else None,
        **extra,
    )


def make_week(org: Organisation, monday: dt.date, **extra) -> DutyWeek:
    assert monday.weekday() == 0
    return DutyWeekFactory(week_start=monday, organisation=org, **extra)


def next_monday(day: dt.date, weeks: int = 1) -> dt.date:
    return day + dt.timedelta(days=7 - day.weekday() + 7 * (weeks - 1))


@pytest.fixture
def orgs(db):
    """Five social organisations with contacts."""
    return [make_org() for _ in range(5)]


@pytest.fixture
def centre(db):
    return make_org(
        "德清地信小镇党群服务中心", kind=Organisation.Kind.CENTRE, short_name="党群服务中心"
    )


@pytest.fixture
def alliance_contact(db):
    """The duty contact of 晨曦社工, and that organisation."""
    org = make_org("晨曦社工")
    return org.duty_contact


@pytest.fixture(autouse=True)
def _rota_outputs(settings, tmp_path):
    """SMS files go to a temporary folder; tasks run in-process even when REDIS_URL is set."""
    from deqing_hub.celery import app

    # Contacts are many; a fast hasher keeps fixtures quick (password checks are not tested here).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.NOTICE_WECOM_WEBHOOK_URL = ""
    settings.NOTICE_DINGTALK_WEBHOOK_URL = ""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def sms_files(settings) -> list[str]:
    folder = settings.SMS_FILE_PATH
    if not folder.exists():
        return []
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
