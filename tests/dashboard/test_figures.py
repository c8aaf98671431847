"""The home figures and the public lists behind them: one count wherever a figure appears.

Given a small town with records in last month (closed and published), every home figure equals
the count on its public list, each part equals its filtered list, the parts add up to the
figure, and the wall and the month's ranking count the same records. The lists show no
personal data. Dates are relative to today, so the clock sweep runs these too.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from deqing_hub import dashboard, ranking
from members import periods
from members.models import Branch, Enterprise, Member
from points import actions as points_actions
from points.models import Item
from rota.models import DutyWeek, Organisation
from services.models import ServiceRecord
from tests.conftest import make_user
from tests.dashboard.test_home import make_enterprise
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import funded_member, stock_up
from tests.ranking.conftest import duty_week, granted_wish, make_org, service_for
from wishes.models import Wish

pytestmark = pytest.mark.django_db

SECRET_MOBILE = "13912345678"
SECRET_NAME = "欧阳保密"


def _shanghai(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def town(db, staff):
    """Records of every figure, dated in last month, and last month's ranking published."""
    last_month = periods.previous_month(periods.current_month())
    monday = last_month + dt.timedelta(days=(7 - last_month.weekday()) % 7)

    make_enterprise(101, Enterprise.Industry.GEOINFORMATION)
    make_enterprise(102, Enterprise.Industry.GEOINFORMATION)
    make_enterprise(103, Enterprise.Industry.FINANCE_BACK_OFFICE)
    Enterprise.objects.filter(pk=make_enterprise(104).pk).update(is_active=False)

    standalone = Branch.objects.create(name="地信企业支部", kind=Branch.Kind.STANDALONE)
    joint = Branch.objects.create(name="联建支部", kind=Branch.Kind.JOINT)
    Member.objects.create(
        name=SECRET_NAME,
        gender=Member.Gender.FEMALE,
        branch=standalone,
        mobile=SECRET_MOBILE,
        ranking_consent=False,
    )
    Member.objects.create(name="李四", gender=Member.Gender.MALE, branch=joint)
    Member.objects.create(name="王五", gender=Member.Gender.MALE, branch=joint, is_active=False)

    bureau = make_org("县运管局", Organisation.Kind.COUNTY_BUREAU)
    chenxi = make_org("晨曦社工")
    make_org("团县委")
    Organisation.objects.filter(pk=make_org("已退出").pk).update(is_active=False)

    duty_week(bureau, monday, DutyWeek.Status.DONE, report=True)
    duty_week(chenxi, monday + dt.timedelta(days=7), DutyWeek.Status.CONFIRMED)
    duty_week(bureau, monday + dt.timedelta(days=14), DutyWeek.Status.MISSED)

    for org in (bureau, chenxi, chenxi):
        ServiceRecord.objects.create(
            service=service_for(org),
            organisation=org,
            delivered_on=last_month + dt.timedelta(days=1),
            notes=f"联系 {SECRET_NAME} {SECRET_MOBILE}",
        )

    wisher = make_user(email="wisher@example.cn", last_name="欧阳", first_name="保密")
    fulfilled = _shanghai(last_month + dt.timedelta(days=2))
    granted_wish(bureau, fulfilled=fulfilled, confirmed=None, wisher=wisher)
    granted_wish(
        chenxi, fulfilled=fulfilled, confirmed=fulfilled + dt.timedelta(days=1), wisher=wisher
    )
    Wish.objects.create(
        title="还没人认领",
        text="希望有书",
        category=Wish._meta.get_field("category").related_model.objects.first(),
        wisher=wisher,
        status=Wish.Status.PUBLISHED,
        published_at=fulfilled,
    )

    point = ExchangePointFactory(name="红盟书吧兑换点")
    coffee = ItemFactory(name="咖啡", price=10, kind=Item.Kind.COFFEE)
    ticket = ItemFactory(name="电影票", price=30, kind=Item.Kind.CINEMA_TICKET)
    stock_up(point, coffee, 10)
    stock_up(point, ticket, 10)
    redeemer = funded_member(200, name=SECRET_NAME + "二", branch=standalone)
    for key, item in enumerate((coffee, coffee, ticket, coffee)):
        points_actions.redeem(member=redeemer, item=item, point=point, idempotency_key=str(key))
    cancelled = points_actions.redeem(
        member=redeemer, item=ticket, point=point, idempotency_key="cancel"
    )
    points_actions.cancel_voucher(voucher=cancelled, by=staff)

    ranking.close_month(month=last_month)
    return last_month


def _shown(client, url: str) -> tuple[int, int]:
    """(records shown, figure total) as the public list page states them."""
    html = client.get(url).content.decode()
    match = re.search(r'data-total="(\d+)" data-shown="(\d+)"', html)
    assert match, url
    return int(match[2]), int(match[1])


def test_every_figure_equals_its_public_list_and_its_parts_add_up(town, client):
    figures = {f.key: f for f in dashboard.figures()}
    expected = {
        "enterprises": 3,
        "branches": 2,
        "members": 3,
        "organisations": 3,
        "duty-weeks": 2,
        "services": 3,
        "wishes": 2,
        "projects": 0,  # counted in test_home.py: its list has sections, not a count
        "redeemed": 4,
    }
    assert {key: f.value for key, f in figures.items()} == expected

    for key in ("enterprises", "branches", "organisations", "duty-weeks", "services", "redeemed"):
        figure = figures[key]
        assert _shown(client, figure.url) == (figure.value, figure.value), key
        if figure.parts:
            assert sum(part.value for part in figure.parts) == figure.value, key
        for part in figure.parts:
            assert _shown(client, part.url) == (part.value, figure.value), part.url
    assert [p.value for p in figures["redeemed"].parts] == [1, 3, 0]

    # Party members: the branches' list counts them per branch (and names none of them).
    branches_html = client.get(figures["members"].url).content.decode()
    counted = re.findall(r"(\d+) 名党员", branches_html)
    assert sum(int(n) for n in counted) == figures["members"].value

    home = client.get("/").content.decode()
    for figure in figures.values():
        assert f'href="{figure.url}">{figure.value}</a>' in home.replace("&amp;", "&"), figure.key


def test_the_wall_and_the_ranking_count_the_same_records(town, client):
    figures = {f.key: f for f in dashboard.figures()}

    wall = client.get("/wishes/")
    assert wall.context["granted_count"] == figures["wishes"].value
    assert len(wall.context["stories"]) == figures["wishes"].value
    granted = client.get(figures["wishes"].url)
    # The wall's pages are uncounted (members.pagination): all of them fit on the first here.
    assert not granted.context["page_obj"].has_next()
    assert len(granted.context["wishes"]) == figures["wishes"].value

    payload = ranking.month_payload(town).payload
    organisations = payload["organisations"]

    def component(key: str) -> int:
        return sum(o["components"][key]["count"] for o in organisations)

    assert len(organisations) == figures["organisations"].value
    assert component("duty_week") == figures["duty-weeks"].value
    assert component("service_record") == figures["services"].value
    assert component("wish_fulfilled") == figures["wishes"].value
    assert len(payload["branches"]) == figures["branches"].value
    assert sum(b["members"] for b in payload["branches"]) == figures["members"].value


def test_public_lists_show_no_personal_data(town, client):
    pages = [f"/figures/{key}/" for key in dashboard_keys()] + ["/wishes/?status=granted"]
    for url in pages:
        html = client.get(url).content.decode()
        assert SECRET_MOBILE not in html, url
        assert "139****5678" not in html, url
        assert SECRET_NAME not in html, url  # no consent: neither member nor wisher named
        assert "91330521" not in html, url  # no enterprise credit code


def dashboard_keys() -> list[str]:
    return ["enterprises", "branches", "organisations", "duty-weeks", "services", "redeemed"]


@pytest.mark.parametrize(
    ("url", "notice"),
    [
        ("/figures/enterprises/?kind=nope", True),
        ("/figures/redeemed/?kind=%E5%92%96%27%3B--", True),
        ("/figures/services/?kind=anything", True),
        ("/figures/branches/?page=abc", False),
        ("/figures/organisations/?page=999999", False),
        ("/wishes/?status=bogus", True),
    ],
)
def test_a_filter_value_that_does_not_exist_shows_the_unfiltered_list(town, client, url, notice):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert ("不存在" in html) is notice
    if url.startswith("/figures/"):
        total, shown = re.search(r'data-total="(\d+)" data-shown="(\d+)"', html).groups()
        assert total == shown


def test_an_unknown_figure_is_not_found(client, db):
    assert client.get("/figures/members/").status_code == 404
    assert client.get("/figures/nope/").status_code == 404


@pytest.mark.parametrize(
    ("key", "queries"),
    [
        # breakdown, count, one page of rows
        ("enterprises", 3),
        ("redeemed", 3),
        # breakdown and the whole (short) list
        ("branches", 2),
        ("organisations", 2),
        # count and one page of rows
        ("duty-weeks", 2),
        ("services", 2),
    ],
)
def test_public_lists_run_a_fixed_number_of_queries(
    town, client, django_assert_num_queries, key, queries
):
    for n in range(110, 140):
        make_enterprise(n)
        ServiceRecord.objects.create(
            service=service_for(Organisation.objects.first()),
            organisation=Organisation.objects.first(),
            delivered_on=town,
        )
    with django_assert_num_queries(queries):
        assert client.get(f"/figures/{key}/?page=2").status_code == 200
    with django_assert_num_queries(queries):
        assert client.get(f"/figures/{key}/?kind=other").status_code == 200


def test_home_ranks_the_last_closed_month_with_only_organisations_that_scored(town, client):
    html = client.get("/").content.decode()

    month = re.search(r'data-ranking="month">(.*?)</dd>', html, re.S)[1]
    assert f"{town:%Y-%m}排名" in html
    assert "县运管局" in month and "晨曦社工" in month
    assert "团县委" not in month  # no record, score 0.00: not on the podium
    assert f'href="/ranking/{town.year}/{town.month}/"' in month
    # One published month is a year in progress, and says so.
    year = re.search(r'data-ranking="year">(.*?)</dd>', html, re.S)[1]
    assert "截至目前已发布 1 个月" in year
    assert f'href="/ranking/{town.year}/"' in year
