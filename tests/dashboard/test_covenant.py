"""The covenant page /covenant/<year>/ against records whose counts are worked out by hand.

Last year (so every record lies in the past on any date of the clock sweep), organisations
县运管局 (A), 晨曦社工 (B) and 团县委 (C); the meeting weight is 5 (migration 0002):

| | Q1 | Q2 | Q3 | Q4 | year |
|---|---|---|---|---|---|
| A weeks / reports / meetings | 1/1/1 | 0/0/0 | 1/0/1 | 0/0/0 | 2/1/2 |
| B | 0/0/1 | 1/1/0 | 0/0/1 | 0/0/0 | 1/1/2 |
| C | 0/0/0 | 0/0/0 | 0/0/1 | 0/0/0 | 0/0/1 |

Not counted: B's missed week, C's week never confirmed, A's week of the year before, the
inactive organisation. The year's one published month (December) has no records, so the
yearly scores are the meetings: A 10, B 10, C 5; A and B tie and pinyin puts 晨曦 (chen)
before 县运管局 (xian): B 1st, A 2nd, C 3rd.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from deqing_hub import ranking
from rota.models import DutyWeek, ExchangeMeeting, MeetingAttendance, MonthlyTheme, Organisation
from tests.ranking.conftest import duty_week, make_org

pytestmark = pytest.mark.django_db


def monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def year(db, staff) -> int:
    year = timezone.localdate().year - 1
    a = make_org("县运管局", Organisation.Kind.COUNTY_BUREAU)
    b = make_org("晨曦社工")
    c = make_org("团县委")
    gone = make_org("已退出")
    duty_week(a, monday_after(dt.date(year, 1, 8)), DutyWeek.Status.DONE, report=True)
    duty_week(a, monday_after(dt.date(year, 8, 1)), DutyWeek.Status.CONFIRMED)
    duty_week(a, monday_after(dt.date(year - 1, 12, 1)), DutyWeek.Status.DONE, report=True)
    duty_week(b, monday_after(dt.date(year, 5, 1)), DutyWeek.Status.DONE, report=True)
    duty_week(b, monday_after(dt.date(year, 5, 15)), DutyWeek.Status.MISSED)
    duty_week(c, monday_after(dt.date(year, 11, 1)), DutyWeek.Status.PLANNED)
    duty_week(gone, monday_after(dt.date(year, 2, 1)), DutyWeek.Status.DONE, report=True)
    Organisation.objects.filter(pk=gone.pk).update(is_active=False)

    spring = ExchangeMeeting.objects.create(
        year=year, quarter=1, held_on=dt.date(year, 3, 20), venue="红盟书吧", host=b
    )
    summer = ExchangeMeeting.objects.create(
        year=year, quarter=3, held_on=dt.date(year, 9, 18), venue="红领学院", host=c
    )
    for meeting, org in ((spring, a), (summer, a), (summer, b)):
        MeetingAttendance.objects.create(meeting=meeting, organisation=org, recorded_by=staff)
    MonthlyTheme.objects.create(month=dt.date(year, 1, 1), title="新春送温暖")
    MonthlyTheme.objects.create(month=dt.date(year, 7, 1), title="庆祝建党节")
    ranking.close_month(month=dt.date(year, 12, 1))
    return year


def _cells(org) -> list[tuple[int, int, int]]:
    return [(q.weeks, q.reports, q.meetings) for q in org.quarters]


def test_the_covenant_year_matches_the_records_counted_by_hand(year, client):
    response = client.get(f"/covenant/{year}/")

    assert response.status_code == 200
    orgs = {o.name: o for o in response.context["organisations"]}
    assert set(orgs) == {"县运管局", "晨曦社工", "团县委"}
    assert _cells(orgs["县运管局"]) == [(1, 1, 1), (0, 0, 0), (1, 0, 1), (0, 0, 0)]
    assert _cells(orgs["晨曦社工"]) == [(0, 0, 1), (1, 1, 0), (0, 0, 1), (0, 0, 0)]
    assert _cells(orgs["团县委"]) == [(0, 0, 0), (0, 0, 0), (0, 0, 1), (0, 0, 0)]
    assert {name: (o.weeks, o.reports, o.meetings) for name, o in orgs.items()} == {
        "县运管局": (2, 1, 2),
        "晨曦社工": (1, 1, 2),
        "团县委": (0, 0, 1),
    }
    assert [(o.name, o.rank, o.score) for o in response.context["organisations"]] == [
        ("晨曦社工", 1, "10.00"),
        ("县运管局", 2, "10.00"),
        ("团县委", 3, "5.00"),
    ]
    quarters = response.context["quarters"]
    assert [(q["weeks"], q["reports"], q["meetings"]) for q in quarters] == [
        (1, 1, 1),
        (1, 1, 0),
        (1, 0, 1),
        (0, 0, 0),
    ]
    assert [m["theme"] for m in quarters[0]["months"]] == ["新春送温暖", None, None]
    assert quarters[2]["months"][0]["theme"] == "庆祝建党节"
    html = response.content.decode()
    assert "排名截至目前已发布 1 个月" in html
    assert "已退出" not in html


def test_this_year_is_the_default_and_past_years_are_one_tap_away(year, client):
    response = client.get("/covenant/")

    assert response.status_code == 200
    assert response.context["year"] == year + 1
    assert f'href="/covenant/{year}/"' in response.content.decode()
    home = client.get("/").content.decode()
    assert 'href="/covenant/"' in home


@pytest.mark.parametrize(
    "path", ["/covenant/2015/", "/covenant/9999/", "/covenant/0/", "/covenant/0000/"]
)
def test_a_year_out_of_range_is_not_found(client, db, path):
    assert client.get(path).status_code == 404


def test_the_covenant_page_runs_a_fixed_number_of_queries(year, client, django_assert_num_queries):
    for n in range(6):
        org = make_org(f"单位{n}")
        duty_week(org, monday_after(dt.date(year, 6, 1)) + dt.timedelta(weeks=n), "done")
    # organisations, weeks, meetings, attendance, the year's ranking (snapshots, meetings,
    # attendance, formulas), themes
    with django_assert_num_queries(9):
        assert client.get(f"/covenant/{year}/").status_code == 200


def test_the_home_panel_sums_this_years_covenant(client, db):
    today = timezone.localdate()
    org = make_org("晨曦社工")
    this_monday = today - dt.timedelta(days=today.weekday())
    held = duty_week(org, this_monday, DutyWeek.Status.DONE, report=True)
    if this_monday.year != today.year:  # 1 January on a weekday: the week began last year
        held.delete()
    ExchangeMeeting.objects.create(
        year=today.year, quarter=1, held_on=today, venue="红盟书吧", host=org
    )
    new_years_eve = dt.date(today.year, 12, 31)
    if today < new_years_eve:  # still to come: not counted yet
        ExchangeMeeting.objects.create(
            year=today.year, quarter=4, held_on=new_years_eve, venue="红盟书吧", host=org
        )

    html = client.get("/").content.decode()

    weeks = 1 if this_monday.year == today.year else 0
    assert f"已轮值 {weeks} 周 · 报告 {weeks} 份 · 交流会 1 次" in html


def test_the_organisations_come_fifty_a_page(client):
    """At county scale 500 organisations made a 913 KB page: 50 a page, numbered on."""
    for i in range(51):
        make_org(f"组织{i:02d}")
    first = client.get("/covenant/")
    assert len(first.context["page_obj"]) == 50
    assert 'start="1"' in first.content.decode()
    second = client.get("/covenant/?page=2")
    assert len(second.context["page_obj"]) == 1
    assert 'start="51"' in second.content.decode()
