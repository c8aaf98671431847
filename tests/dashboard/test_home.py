"""The home dashboard: figures counted from records, each linking to its list; fixed queries."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deqing_hub import dashboard, roles
from members.models import Branch, Enterprise
from rota.models import DutyWeek, ExchangeMeeting, MonthlyTheme, Organisation
from tests.factories import BranchFactory, EnterpriseFactory, OrganisationFactory
from tests.projects.conftest import deliver, finished, login, member_with_login, new_project


def figure(key: str) -> dashboard.Figure:
    return next(f for f in dashboard.figures() if f.key == key)


def make_enterprise(n: int, industry=Enterprise.Industry.OTHER) -> Enterprise:
    return EnterpriseFactory(name=f"企业{n}", industry=industry)


@pytest.mark.django_db
def test_home_keeps_the_four_doors_and_shows_the_figures(client):
    make_enterprise(1, Enterprise.Industry.GEOINFORMATION)
    make_enterprise(2)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    for door in (reverse("account_login"), reverse("ranking"), reverse("admin:index")):
        assert f'href="{door}"' in html
    assert "小镇概览" in html
    assert 'data-figure="enterprises"' in html
    assert '地理信息: <a href="/figures/enterprises/?kind=gis">1</a>' in html


@pytest.mark.django_db
def test_a_figure_changes_when_a_record_is_added(client):
    before = figure("enterprises")
    make_enterprise(3, Enterprise.Industry.GEOINFORMATION)
    after = figure("enterprises")

    assert (before.value, before.parts[0].value) == (0, 0)
    assert (after.value, after.parts[0].value) == (1, 1)
    response = client.get("/")
    assert re.search(
        r'data-figure="enterprises">\s*<a class="stat-value"[^>]*>1</a>', response.content.decode()
    )


@pytest.mark.django_db
def test_branches_and_organisations_are_counted_by_kind():
    Branch.objects.create(name="一支部", kind=Branch.Kind.STANDALONE)
    Branch.objects.create(name="二支部", kind=Branch.Kind.STANDALONE)
    Branch.objects.create(name="联建支部", kind=Branch.Kind.JOINT)
    Organisation.objects.create(name="团县委", kind=Organisation.Kind.COUNTY_BUREAU)
    Organisation.objects.create(name="停用", kind=Organisation.Kind.COUNTY_BUREAU, is_active=False)

    branches = figure("branches")
    organisations = figure("organisations")

    assert branches.value == 3
    assert [p.value for p in branches.parts] == [2, 1, 0]
    assert organisations.value == 1
    assert [p.value for p in organisations.parts] == [1, 0, 0]


@pytest.mark.django_db
def test_projects_are_counted_under_way_and_completed(client):
    roles.setup_roles()
    centre = login("centre@example.cn", role=roles.CENTRE_STAFF)
    leader = member_with_login("叶冬梅", BranchFactory(), "ye@example.cn")
    finished("企业地图小程序", leader, centre)
    deliver(new_project("“德清跑步节”APP", leader.branch, centre), leader, centre)
    new_project("红盟书吧导览", leader.branch, centre)  # open: nobody's project yet, not counted

    projects = figure("projects")

    assert (projects.value, [p.value for p in projects.parts]) == (2, [1, 1])
    assert [p.url for p in projects.parts] == [
        "/projects/#section-under-way",
        "/projects/#section-finished",
    ]
    html = client.get("/").content.decode()
    assert '履诺中: <a href="/projects/#section-under-way">1</a>' in html
    assert '已办结: <a href="/projects/#section-finished">1</a>' in html


@pytest.mark.django_db
def test_every_figure_link_opens_a_public_list_without_login(client):
    make_enterprise(4, Enterprise.Industry.GEOINFORMATION)

    links = []
    for item in dashboard.figures():
        links += [item.url, *(p.url for p in item.parts)]
    assert len(links) == 9 + 3 + 3 + 3 + 2 + 3
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/admin/" not in url and "/accounts/" not in url

    gis = figure("enterprises").parts[0].url
    assert gis == "/figures/enterprises/?kind=gis"
    assert "企业4" in client.get(gis).content.decode()


@pytest.mark.django_db
def test_covenant_panel_shows_duty_theme_and_meeting(client):
    org = Organisation.objects.create(name="晨曦社工", kind=Organisation.Kind.SOCIAL_ORGANISATION)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    DutyWeek.objects.create(week_start=monday, organisation=org, status=DutyWeek.Status.CONFIRMED)
    MonthlyTheme.objects.create(month=today.replace(day=1), title="红色引领<script>")
    ExchangeMeeting.objects.create(
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        held_on=today + dt.timedelta(days=3),
        venue="红盟书吧",
        host=org,
    )

    html = client.get("/").content.decode()

    assert "本周轮值" in html and "晨曦社工" in html
    assert "红色引领&lt;script&gt;" in html  # staff-typed text is escaped
    assert "红盟书吧" in html


def _home_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_the_data(client):
    small = _home_queries(client)
    for n in range(10, 40):
        make_enterprise(n)
        BranchFactory(kind=Branch.Kind.STANDALONE)
        OrganisationFactory()
    large = _home_queries(client)

    # 9 figures + duty week, theme, meeting (up to 2), the latest published month, this
    # year's covenant (weeks held, meetings held).
    assert small == large == 16
