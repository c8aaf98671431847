"""The acknowledge link in a reminder: signed, for one week and organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import gettext

from rota import reminders
from rota.models import DutyWeek
from tests.rota.conftest import make_org, make_week


@pytest.fixture
def week(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 0))
    return make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))


def test_get_shows_the_week_and_post_confirms_it_once(week, client):
    url = reminders.acknowledge_url(week).removeprefix("http://127.0.0.1:8000")
    page = client.get(url)
    assert "晨曦社工" in page.content.decode()
    week.refresh_from_db()
    assert week.status == DutyWeek.Status.PLANNED  # a link preview does not acknowledge
    client.post(url)
    client.post(url)
    week.refresh_from_db()
    assert week.status == DutyWeek.Status.CONFIRMED
    assert week.acknowledged_at is not None
    assert gettext("Acknowledged") in client.get(url).content.decode()  # 已确认


def test_forged_token_is_404(week, client):
    url = reminders.acknowledge_url(week).removeprefix("http://127.0.0.1:8000")
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_link_stops_working_when_the_week_changes_hands(week, client):
    url = reminders.acknowledge_url(week).removeprefix("http://127.0.0.1:8000")
    DutyWeek.objects.filter(pk=week.pk).update(organisation=make_org())
    assert client.get(url).status_code == 404
