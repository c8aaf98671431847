"""The public covenant calendar at /rota/."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from rota.models import ExchangeMeeting, MonthlyTheme
from tests.rota.conftest import make_org, make_week

SHANGHAI = ZoneInfo("Asia/Shanghai")


def fill(weeks: int) -> None:
    org = make_org("<script>alert(1)</script>社工", contacts=False)
    others = [make_org(contacts=False) for _ in range(3)]
    for i in range(weeks):
        make_week([org, *others][i % 4], dt.date(2026, 1, 5) + dt.timedelta(weeks=i))
    for month in range(1, 1 + min(weeks, 12)):
        MonthlyTheme.objects.create(month=dt.date(2026, month, 1), title=f"主题{month}")
    for q in range(1, 1 + min(weeks, 4)):
        ExchangeMeeting.objects.create(
            year=2026, quarter=q, held_on=dt.date(2026, 3 * q, 15), venue="红领学院", host=org
        )


def test_calendar_is_public_and_escapes_names(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    fill(10)
    response = client.get(reverse("rota:calendar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;社工" in page
    assert "<script>alert(1)" not in page
    assert "2026年1月5日" in page
    assert "主题3" in page and "红领学院" in page
    assert response.context["this_week"].week_start == dt.date(2026, 3, 2)
    assert response.context["this_theme"].title == "主题3"
    assert "本周轮值" in page and "本月主题" in page
    assert reverse("rota:calendar") == "/rota/"


@pytest.mark.parametrize("weeks", [2, 40])
def test_query_count_does_not_grow_with_the_data(
    db, client, django_assert_num_queries, weeks, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    fill(weeks)
    with django_assert_num_queries(3):  # weeks with organisations, themes, meetings with hosts
        client.get(reverse("rota:calendar") + "?year=2026")


def test_the_week_across_new_year_is_this_week_on_new_years_day(db, client, time_machine):
    # 1 January 2028 is a Saturday: its duty week began on Monday 27 December 2027.
    time_machine.move_to(dt.datetime(2028, 1, 1, 0, 30, tzinfo=SHANGHAI))
    org = make_org("晨曦社工", contacts=False)
    make_week(make_org(contacts=False), dt.date(2027, 12, 20))
    make_week(org, dt.date(2027, 12, 27))
    make_week(make_org(contacts=False), dt.date(2028, 1, 3))

    response = client.get(reverse("rota:calendar"))

    assert response.context["year"] == 2028
    assert response.context["this_week"].organisation == org
    assert [w.week_start for w in response.context["weeks"]] == [
        dt.date(2027, 12, 27),
        dt.date(2028, 1, 3),
    ]
    # The same week closes the 2027 calendar.
    previous = client.get(reverse("rota:calendar") + "?year=2027").context["weeks"]
    assert [w.week_start for w in previous] == [dt.date(2027, 12, 20), dt.date(2027, 12, 27)]


def test_bad_year_falls_back_to_this_year(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    assert client.get("/rota/?year=abc").context["year"] == 2026
    assert client.get("/rota/?year=1900").context["year"] == 2026


def test_calendar_in_english(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    fill(3)
    page = client.get(reverse("rota:calendar"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "GIS Red Alliance covenant calendar 2026" in page
    assert "Planned" in page


def test_the_page_marks_this_week_and_links_to_it(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI))  # a Wednesday
    fill(12)

    page = client.get(reverse("rota:calendar")).content.decode()

    assert '<a href="#week-2026-03-02">跳到本周</a>' in page
    row = re.search(
        r'<tr id="week-2026-03-02"\s+class="current" aria-current="date">(.*?)</tr>', page, re.S
    )
    assert row is not None
    assert '<span class="badge badge-now">本周</span>' in row.group(1)
    assert page.count('aria-current="date"') == 1
    assert 'id="week-2026-03-09"' in page  # every week has its anchor (the feed links to it)
    assert 'src="/static/rota/rota.js"' in page  # which scrolls this week into view


def test_another_year_has_no_current_week(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI))
    make_week(make_org(contacts=False), dt.date(2025, 3, 3))
    page = client.get(reverse("rota:calendar") + "?year=2025").content.decode()
    assert "跳到本周" not in page
    assert 'aria-current="date"' not in page


def test_the_page_says_how_to_subscribe_a_phone_calendar(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI))
    page = client.get(reverse("rota:calendar")).content.decode()

    assert 'href="webcal://testserver/rota/feed.ics"' in page
    assert "http://testserver/rota/feed.ics" in page  # the address to paste
    for text in ("iPhone / iPad", "安卓手机", "Outlook", "添加已订阅的日历", "从 Web 订阅"):
        assert text in page
