"""The home dashboard is cached as HTML, and every change to a counted record shows at once.

For each figure family: the home is requested (so its HTML is cached), one record changes
the way the portal changes it (an action's conditional UPDATE, a save, an admin-style delete),
and the very next request shows the new figure. The per-user door stays out of the cache.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from deqing_hub import roles
from members.models import Branch, Member
from points import actions as points_actions
from points.models import Voucher
from rota.models import DutyWeek, Organisation
from services.models import ServiceRecord
from tests.conftest import make_user
from tests.dashboard.test_figures import _shanghai, town  # noqa: F401 - the fixture
from tests.dashboard.test_home import make_enterprise
from tests.projects.conftest import deliver, login, member_with_login, new_project
from tests.ranking.conftest import duty_week, granted_wish, make_org, service_for

pytestmark = pytest.mark.django_db


def shown(client, key: str) -> int:
    html = client.get("/").content.decode()
    match = re.search(rf'data-figure="{key}">\s*<a class="stat-value"[^>]*>([\d,]+)</a>', html)
    assert match, key
    return int(match[1].replace(",", ""))


def _add_enterprise(last_month, staff):
    make_enterprise(300)


def _add_branch(last_month, staff):
    Branch.objects.create(name="新支部", kind=Branch.Kind.STANDALONE)


def _member_leaves(last_month, staff):
    member = Member.objects.get(name="李四")
    member.is_active = False
    member.save()


def _organisation_leaves(last_month, staff):
    Organisation.objects.filter(name="团县委").get().delete()


def _week_held(last_month, staff):
    monday = last_month + dt.timedelta(days=(7 - last_month.weekday()) % 7)
    duty_week(make_org("新来的"), monday - dt.timedelta(days=7), DutyWeek.Status.DONE)


def _service_delivered(last_month, staff):
    org = Organisation.objects.get(name="晨曦社工")
    ServiceRecord.objects.create(
        service=service_for(org), organisation=org, delivered_on=last_month
    )


def _wish_granted(last_month, staff):
    fulfilled = _shanghai(last_month + dt.timedelta(days=3))
    wisher = make_user(email="another@example.cn")
    granted_wish(
        Organisation.objects.get(name="晨曦社工"),
        fulfilled=fulfilled,
        confirmed=None,
        wisher=wisher,
    )


def _voucher_cancelled(last_month, staff):
    # cancel_voucher moves the voucher with a conditional UPDATE (no save signal).
    voucher = Voucher.objects.filter(status=Voucher.Status.ISSUED).first()
    points_actions.cancel_voucher(voucher=voucher, by=staff)


@pytest.mark.parametrize(
    ("key", "change", "delta"),
    [
        ("enterprises", _add_enterprise, 1),
        ("branches", _add_branch, 1),
        ("members", _member_leaves, -1),
        ("organisations", _organisation_leaves, -1),
        ("duty-weeks", _week_held, 1),
        ("services", _service_delivered, 1),
        ("wishes", _wish_granted, 1),
        ("redeemed", _voucher_cancelled, -1),
    ],
)
def test_a_change_shows_on_the_next_request(town, staff, client, key, change, delta):  # noqa: F811
    before = shown(client, key)
    assert shown(client, key) == before  # served from the cache

    change(town, staff)

    assert shown(client, key) == before + delta


def test_a_project_moving_on_shows_on_the_next_request(client):
    roles.setup_roles()
    centre = login("centre@example.cn", role=roles.CENTRE_STAFF)
    leader = member_with_login("叶冬梅", Branch.objects.create(name="一支部"), "ye@example.cn")
    project = new_project("红盟书吧导览", leader.branch, centre)
    before = shown(client, "projects")

    deliver(project, leader, centre)  # claimed and delivered by actions (UPDATEs)

    assert shown(client, "projects") == before + 1


def test_the_first_door_is_the_members_own_page_once_logged_in(client):
    anonymous = client.get("/").content.decode()
    client.force_login(make_user(email="member@example.cn"))
    logged_in = client.get("/").content.decode()

    assert 'href="/accounts/login/"' in anonymous and 'href="/me/"' not in anonymous
    assert 'href="/me/"' in logged_in and "我的" in logged_in
    assert (
        'href="/accounts/login/"'
        not in logged_in.split('id="dashboard-title"')[0].split("<main")[-1]
    )


def test_a_warm_home_runs_no_query(client, django_assert_num_queries):
    client.get("/")
    # Before: 16 (9 figures, the duty week, theme, meeting, ranking, covenant); now cached.
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_many_changes_in_one_transaction_move_the_number_once_until_it_is_read(town):  # noqa: F811
    """An import of thousands of rows moves the cached figures' number once, not per row (two
    Redis round trips a row before), and the number still moves after every read, so a page
    cached in between is never served after the next change."""
    from members import figures_version

    before = figures_version.version()
    branch = Branch.objects.first()
    for i in range(5):
        Member.objects.create(name=f"批量{i}", branch=branch)
    after_batch = figures_version.version()  # a read: the next change must move it again
    assert after_batch == before + 1
    Member.objects.create(name="批量之后", branch=branch)
    assert figures_version.version() == after_batch + 1


@pytest.mark.django_db(transaction=True)
def test_the_number_moves_again_on_commit():
    """Bumped at once and on commit: a page rebuilt between the two from the data before the
    commit (another worker) is not kept."""
    from django.core.cache import cache
    from django.db import transaction

    from members import figures_version

    branch = Branch.objects.create(name="提交支部", kind=Branch.Kind.CENTRE)
    before = figures_version.version()
    with transaction.atomic():
        for i in range(3):
            Member.objects.create(name=f"提交{i}", branch=branch)
        assert cache.get(figures_version.VERSION_KEY) == before + 1
    assert figures_version.version() == before + 2
