"""ICS feeds, parsed back with the icalendar library; secret per-organisation URLs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from rota import actions
from rota.models import ExchangeMeeting
from tests.rota.conftest import make_org, make_week


@pytest.fixture
def rota(db, time_machine, staff):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    a, b = make_org("晨曦社工"), make_org("团县委")
    w1, w2 = make_week(a, dt.date(2026, 3, 16)), make_week(b, dt.date(2026, 3, 23))
    swap = actions.request_swap(from_week=w1, to_week=w2, by=a.duty_contact)
    actions.accept_swap(swap=swap, by=b.duty_contact)
    actions.approve_swap(swap=swap, by=staff)
    ExchangeMeeting.objects.create(
        year=2026, quarter=1, held_on=dt.date(2026, 3, 19), venue="红领学院", host=a
    )
    return a, b


def events(response) -> list:
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_public_feed_shows_final_assignments_after_the_swap(rota, client):
    found = events(client.get("/rota/feed.ics"))
    weeks = {e.decoded("dtstart"): str(e["summary"]) for e in found if "dutyweek" in str(e["uid"])}
    assert weeks == {
        dt.date(2026, 3, 16): "轮值周：团县委",
        dt.date(2026, 3, 23): "轮值周：晨曦社工",
    }
    week = next(e for e in found if e.decoded("dtstart") == dt.date(2026, 3, 16))
    assert week.decoded("dtend") == dt.date(2026, 3, 23)  # Monday to Sunday, end exclusive
    meeting = next(e for e in found if "meeting" in str(e["uid"]))
    start = meeting.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert (start.date(), start.hour) == (dt.date(2026, 3, 19), 14)
    assert str(meeting["location"]) == "红领学院"


def test_organisation_feed_needs_the_current_secret(rota, client):
    a, _ = rota
    assert client.get("/rota/feed/not-a-token.ics").status_code == 404
    actions.rotate_feed_token(organisation=a)
    url = reverse("rota:organisation_feed", args=[a.feed_token])
    found = events(client.get(url))
    assert [str(e["summary"]) for e in found if "dutyweek" in str(e["uid"])] == ["轮值周：晨曦社工"]
    old = url
    actions.rotate_feed_token(organisation=a)
    assert client.get(old).status_code == 404
    assert client.get(reverse("rota:organisation_feed", args=[a.feed_token])).status_code == 200
    token = a.feed_token
    actions.revoke_feed_token(organisation=a)
    assert client.get(reverse("rota:organisation_feed", args=[token])).status_code == 404


def test_feed_is_valid_with_a_timezone_component(rota, client):
    calendar = Calendar.from_ical(client.get("/rota/feed.ics").content)
    assert calendar["version"] == "2.0"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_contact_issues_a_secret_link_for_own_organisation_only(rota, client):
    a, b = rota
    client.force_login(a.duty_contact)
    client.post(reverse("rota:feed_rotate", args=[a.pk]))
    a.refresh_from_db()
    assert a.feed_token
    page = client.get(reverse("rota:my_rota")).content.decode()
    assert reverse("rota:organisation_feed", args=[a.feed_token]) in page
    assert client.post(reverse("rota:feed_rotate", args=[b.pk])).status_code == 404
    b.refresh_from_db()
    assert b.feed_token is None


def test_duty_events_carry_a_description_and_a_link_to_their_week(rota, client, settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    found = events(client.get("/rota/feed.ics"))
    week = next(e for e in found if e.decoded("dtstart") == dt.date(2026, 3, 16))

    link = str(week["url"])
    assert link == "https://dangqun.example.cn/rota/?year=2026#week-2026-03-16"
    description = str(week["description"])
    assert "本周由团县委在党群服务中心轮值" in description
    assert link in description
    # The link lands on that week's row of the public calendar.
    page = client.get("/rota/?year=2026").content.decode()
    assert 'id="week-2026-03-16"' in page
