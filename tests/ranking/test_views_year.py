"""The yearly alliance ranking: the year's published months plus exchange meetings attended."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from deqing_hub import ranking, roles
from rota import actions as rota_actions
from rota.models import ExchangeMeeting, MeetingAttendance
from services.projects import actions as projects_actions
from tests.projects.conftest import finished, login, member_with_login
from tests.ranking.conftest import make_org

URL = "/ranking/2026/"


@pytest.fixture
def closed(town):
    ExchangeMeeting.objects.create(
        year=2026,
        quarter=4,
        held_on=dt.date(2026, 10, 20),
        venue="红盟书吧",
        host=town["orgs"]["chenxi"],
    )
    ranking.close_month(month=dt.date(2026, 9, 1))
    ranking.close_month(month=dt.date(2026, 10, 1))
    return town


def test_year_sums_monthly_scores_and_meetings(closed):
    data = ranking.compute_year(2026)

    # September: 张家协会 duty week + report 15, 县运管局 wish fulfilled 3, 晨曦社工 service 2.
    # October (test_compute): 团县委 20, 晨曦社工 19.80, 县运管局 7.
    # 晨曦社工 hosted the Q4 exchange meeting: +5.
    assert [(o["name"], o["score"], o["rank"]) for o in data["organisations"]] == [
        ("晨曦社工", "26.80", 1),
        ("团县委", "20.00", 2),
        ("张家协会", "15.00", 3),
        ("县运管局", "10.00", 4),
        ("李家协会", "0.00", 5),
    ]
    chenxi = data["organisations"][0]
    assert chenxi["monthly"] == {"2026-09": "2.00", "2026-10": "19.80"}
    assert chenxi["meetings"]["count"] == 1
    assert data["months"] == ["2026-09", "2026-10"]
    assert not data["complete"]


def test_year_page_html_json_xlsx(client, closed):
    html = client.get(URL).content.decode()
    assert "2026 年红盟排名" in html
    assert "部分月份" in html  # two of twelve months
    assert "26.80" in html

    data = json.loads(client.get(f"{URL}?format=json").content)
    assert data["status"] == "partial"
    assert data["organisations"][0]["name"] == "晨曦社工"
    assert set(data["content_hashes"]) == {"2026-09", "2026-10"}

    book = load_workbook(io.BytesIO(client.get(f"{URL}?format=xlsx").content), read_only=True)
    rows = list(book["2026"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == (1, "晨曦社工", 26.8)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/ranking/2025/", "2025 年尚无已发布的月度排名"),
        ("/ranking/2027/", "2027 年没有排名"),
        ("/ranking/2015/", "2015 年没有排名"),
        ("/ranking/2026/?format=doc", "html、json 或 xlsx"),
    ],
)
def test_year_bad_input_is_a_404_with_a_message(client, closed, url, message):
    response = client.get(url)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_year_without_published_month_is_404(client, town):
    assert client.get(URL).status_code == 404


def _queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_year_page_query_count_is_fixed(client, town):
    roles.setup_roles()
    centre = login("centre@example.cn", role=roles.CENTRE_STAFF)
    leader = member_with_login("叶冬梅", town["branches"]["a"], "ye@example.cn")
    finished("企业地图小程序", leader, centre)
    ranking.close_month(month=dt.date(2026, 9, 1))
    small = _queries(client)
    for n in range(20):
        make_org(f"新单位{n}")
    for n in range(3):
        finished(f"项目{n}", leader, centre)
    ranking.close_month(month=dt.date(2026, 10, 1))
    large = _queries(client)

    # Snapshots, meetings, attendance, formulas; the project contest (its leaders' names in
    # the same query, no team query since the contest became plain rows).
    assert small == large == 5


def _contest_rows(html: str) -> list[str]:
    contest = html.split('id="project-contest"', 1)[1]
    return re.findall(r'<a href="/projects/\d+/">([^<]+)</a> <span class="muted">', contest)


def test_year_page_ranks_the_project_contest_under_its_rule(client, closed):
    roles.setup_roles()
    centre = login("centre@example.cn", role=roles.CENTRE_STAFF)
    leader = member_with_login("叶冬梅", closed["branches"]["a"], "ye@example.cn")
    rater = login("public@example.cn")
    finished("企业地图小程序", leader, centre, rater=rater, stars=5)
    commended = finished("“德清跑步节”APP", leader, centre, rater=rater, stars=3)
    projects_actions.commend_project(project=commended, by=centre, citation="按期上线。")

    html = client.get(URL).content.decode()

    # Commended first, whatever the stars; then the public's average stars.
    assert _contest_rows(html) == ["“德清跑步节”APP", "企业地图小程序"]
    assert "2026 年履诺竞赛" in html
    assert "排名先看是否获评表彰" in html  # the published rule, in Chinese
    # The average stars are the score, linking to the project (a phone card shows no label).
    assert '<td class="cell-score num"><a href="/projects/' in html


def test_recorded_attendance_counts_in_the_year(
    client, closed, staff, django_capture_on_commit_callbacks
):
    meeting = ExchangeMeeting.objects.get(year=2026, quarter=4)
    lijia = closed["orgs"]["lijia"]
    client.force_login(staff)
    # The pages are cached before the attendance is recorded (in rota, below the ranking).
    assert _score_of(client, "李家协会") == "0.00"
    assert client.get(URL).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:rota_meetingattendance_add"),
            {"meeting": meeting.pk, "organisation": lijia.pk},
        )
    assert response.status_code == 302
    # Recording it again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        rota_actions.record_meeting_attendance(meeting=meeting, organisations=[lijia], by=staff)
    assert MeetingAttendance.objects.count() == 1

    row = next(o for o in ranking.compute_year(2026)["organisations"] if o["id"] == lijia.pk)
    assert row["meetings"]["count"] == 1 and row["score"] == "5.00"
    # The cached pages show it at once.
    assert "5.00" in client.get(URL).content.decode()
    assert _score_of(client, "李家协会") == "5.00"


def _score_of(client, name: str) -> str:
    data = json.loads(client.get(f"{URL}?format=json").content)
    return next(o["score"] for o in data["organisations"] if o["name"] == name)


def test_attendance_of_a_future_meeting_is_refused(client, town, staff):
    meeting = ExchangeMeeting.objects.create(
        year=2026,
        quarter=4,
        held_on=dt.date(2026, 12, 20),
        venue="红领学院",
        host=town["orgs"]["youth"],
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:rota_meetingattendance_add"),
        {"meeting": meeting.pk, "organisation": town["orgs"]["lijia"].pk},
    )
    assert response.status_code == 200
    assert "交流会举行之后才能登记参会情况。" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_yearly_score_opens_its_months_and_meetings(client, closed):
    chenxi = closed["orgs"]["chenxi"]
    html = client.get(reverse("ranking_year_organisation", args=[2026, chenxi.pk])).content.decode()

    assert "晨曦社工: 26.80" in html
    assert reverse("ranking_organisation", args=[2026, 10, chenxi.pk]) in html
    assert "19.80" in html and "2.00" in html
    assert "2026年10月20日" in html  # the meeting it hosted
    assert (
        client.get(reverse("ranking_year_organisation", args=[2025, chenxi.pk])).status_code == 404
    )
    assert client.get(reverse("ranking_year_organisation", args=[2026, 999999])).status_code == 404


def test_year_page_shows_its_twelve_months_at_a_glance(client, closed):
    html = client.get(URL).content.decode()
    strip = html[html.index('<ol class="month-strip">') : html.index("</ol>")]
    months = re.findall(r'<li class="month-(\w+)">\s*(?:<a href="([^"]+)"[^>]*>|<span>)', strip)

    # Today is 2026-11-10: September and October published, November running, the rest not.
    assert [state for state, _url in months] == [
        *["unpublished"] * 8,
        "published",
        "published",
        "running",
        "future",
    ]
    assert [url for _state, url in months if url] == [
        "/ranking/2026/9/",
        "/ranking/2026/10/",
        "/ranking/2026/11/",
    ]
    assert "进行中" in strip
