"""Scoping and read helpers other apps use."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser

from rota import queries
from rota.models import DutyWeek, ExchangeMeeting, MonthlyTheme, Organisation
from tests.rota.conftest import make_org, make_week


def test_for_contact_scopes_to_duty_and_backup_contacts(db):
    a, b = make_org(), make_org()
    wa, wb = make_week(a, dt.date(2026, 3, 2)), make_week(b, dt.date(2026, 3, 9))
    assert list(Organisation.objects.for_contact(a.duty_contact)) == [a]
    assert list(Organisation.objects.for_contact(a.backup_contact)) == [a]
    assert list(DutyWeek.objects.for_contact(b.backup_contact)) == [wb]
    assert wa not in DutyWeek.objects.for_contact(b.duty_contact)
    assert not Organisation.objects.for_contact(AnonymousUser()).exists()
    assert not DutyWeek.objects.for_contact(AnonymousUser()).exists()


def test_containing_finds_the_week_of_any_day(db):
    a = make_org()
    week = make_week(a, dt.date(2026, 3, 2))
    assert DutyWeek.objects.containing(dt.date(2026, 3, 2)) == week
    assert DutyWeek.objects.containing(dt.date(2026, 3, 8)) == week  # Sunday
    assert DutyWeek.objects.containing(dt.date(2026, 3, 9)) is None


def test_home_page_helpers(db):
    a = make_org("晨曦社工")
    make_week(a, dt.date(2026, 3, 2))
    MonthlyTheme.objects.create(month=dt.date(2026, 3, 1), title="学雷锋志愿服务月")
    ExchangeMeeting.objects.create(
        year=2026, quarter=1, held_on=dt.date(2026, 3, 19), venue="书吧", host=a
    )
    ExchangeMeeting.objects.create(
        year=2025, quarter=4, held_on=dt.date(2025, 12, 18), venue="书吧", host=a
    )
    assert queries.current_duty_week(dt.date(2026, 3, 4)).organisation == a
    assert queries.current_theme(dt.date(2026, 3, 31)).title == "学雷锋志愿服务月"
    assert queries.current_theme(dt.date(2026, 4, 1)) is None
    assert queries.current_exchange_meeting(dt.date(2026, 3, 4)).quarter == 1
    assert queries.current_exchange_meeting(dt.date(2026, 5, 1)).held_on == dt.date(2026, 3, 19)
