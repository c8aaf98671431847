"""/ranking/ opens on the month that ended; the running month is one tap away; a member's own rank.

The `town` fixture's day is 2026-11-10: October has ended (not yet closed), November runs.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from deqing_hub import ranking
from members import periods
from tests.conftest import make_user
from tests.ranking.conftest import SHANGHAI

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER_PAGE = "/ranking/2026/11/"


@pytest.fixture
def refreshed(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh_member_totals(month=OCTOBER)
    return town


def login_as(client, member) -> None:
    member.user = make_user(email=f"m{member.pk}@example.cn", phone=f"136{member.pk:08d}")
    member.save()
    client.force_login(member.user)


def test_default_page_is_the_month_that_ended_with_the_running_month_one_tap_away(
    client, refreshed
):
    html = client.get(reverse("ranking")).content.decode()

    assert "2026年10月月度排名" in html
    assert "团县委" in html and "20.00" in html  # October's figures, not November's zeros
    running = re.search(r'<p class="running-month[^"]*">\s*<a href="([^"]+)">(.*?)</a>', html, re.S)
    assert running is not None
    assert running.group(1) == NOVEMBER_PAGE
    assert "2026年11月" in running.group(2) and "进行中" in running.group(2)


def test_the_running_month_says_it_is_in_progress_and_links_nowhere_else(client, refreshed):
    html = client.get(NOVEMBER_PAGE).content.decode()

    assert "2026年11月月度排名" in html
    assert '<span class="badge badge-running">进行中</span>' in html
    assert "本月仍在进行中" in html
    assert 'class="running-month' not in html  # the page is itself the running month


def test_a_closed_month_is_published_and_not_in_progress(client, refreshed):
    ranking.close_month(month=OCTOBER)
    html = client.get(reverse("ranking")).content.decode()

    assert "已发布" in html
    assert 'badge-running">进行中</span> →</a>' in html  # only the link to November


def test_in_january_the_default_is_december_of_the_year_before(db, client):
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 0, 30, tzinfo=SHANGHAI), tick=False):
        response = client.get(reverse("ranking"))
        year = client.get("/ranking/2027/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年12月月度排名" in html
    assert 'href="/ranking/2027/1/"' in html
    # No month of 2027 is published yet: the year page says so instead of failing.
    assert year.status_code == 404


def test_the_default_follows_the_portal_clock_whatever_the_date(db, client):
    """Runs at the swept clock too (tests/clock.py): "today" is the portal's, in Asia/Shanghai."""
    ended = periods.previous_month(periods.current_month())
    html = client.get(reverse("ranking")).content.decode()
    assert f"{ended.year}年{ended.month}月月度排名" in html


@pytest.mark.parametrize(
    "url",
    [
        "/ranking/2026/12/",  # the future (today is 2026-11-10)
        "/ranking/2026/00/",
        "/ranking/2026/13/",
        "/ranking/2016/09/",  # before the centre opened (2016-10)
        "/ranking/0000/01/",
        "/ranking/9999/12/",
        "/ranking/2027/",
        "/ranking/2015/",
        "/ranking/0000/",
        "/ranking/9999/",
        "/ranking/20266/",
        "/ranking/2026/123/",
    ],
)
def test_a_month_or_year_out_of_range_is_a_404(client, refreshed, url):
    assert client.get(url).status_code == 404


def test_a_member_sees_their_own_rank_and_a_link_to_their_row(client, refreshed):
    wang = refreshed["members"]["wang"]
    login_as(client, wang)

    html = client.get("/ranking/2026/10/").content.decode()

    # 王小明: 15 points from 2 entries, ahead of 李四海's 15 from 1 (test_compute).
    assert "您本月的志愿者排名：第 1 名（共 4 名），积分 15。" in html
    assert f'href="#volunteer-{wang.pk}"' in html
    assert f'<tr id="volunteer-{wang.pk}">' in html


def test_a_member_sees_their_own_rank_in_a_published_month(
    client, refreshed, django_capture_on_commit_callbacks
):
    # A closed month's own rank is one row read out of the snapshot (a JSON path query),
    # not the whole payload; the member without points reads None the same way.
    from members.models import Member

    with django_capture_on_commit_callbacks(execute=True):
        ranking.close_month(month=OCTOBER)
    wang = refreshed["members"]["wang"]
    assert ranking.own_place_in(OCTOBER, wang.pk) == {"rank": 1, "points": 15, "total": 4}
    assert ranking.own_place_in(OCTOBER, Member.objects.get(name="钱八").pk) is None
    login_as(client, wang)

    html = client.get("/ranking/2026/10/").content.decode()

    assert "您本月的志愿者排名：第 1 名（共 4 名），积分 15。" in html


def test_a_member_without_consent_sees_their_rank_but_stays_unnamed(client, refreshed):
    li = refreshed["members"]["li"]
    login_as(client, li)

    html = client.get("/ranking/2026/10/").content.decode()

    assert "第 2 名（共 4 名），积分 15" in html
    assert "公开名单中不显示您的姓名" in html
    assert f"volunteer-{li.pk}" not in html
    assert "李*海" not in html and "李四海" not in html


def test_a_member_without_points_is_told_so(client, refreshed):
    from members.models import Member

    login_as(client, Member.objects.get(name="钱八"))
    html = client.get("/ranking/2026/10/").content.decode()
    assert "您在本月还没有获得志愿积分" in html


@pytest.mark.parametrize("who", ["anonymous", "login without a member record"])
def test_no_own_rank_for_anyone_else(client, refreshed, who):
    if who != "anonymous":
        client.force_login(make_user(email="public@example.cn", phone="13700000003"))
    html = client.get("/ranking/2026/10/").content.decode()
    assert 'id="own-rank"' not in html


def test_every_ranking_table_is_a_labelled_focusable_region_with_rank_name_and_score(
    client, refreshed
):
    html = client.get("/ranking/2026/10/").content.decode()

    regions = re.findall(
        r'<div class="table-wrap" role="region" tabindex="0" aria-label="[^"]+">', html
    )
    assert len(regions) == html.count("<table") == 4
    for role in ("rank", "name", "score"):
        assert f'<td class="cell-{role}' in html
    # On a phone, the figures besides the score keep their column label.
    assert 'class="cell-more num zero" data-label="组织活动">0</td>' in html
