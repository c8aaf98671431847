"""A member's own pages (/me/, /points/) stored per session (members.page_cache.own_page).

A stored page answers with the session and user reads only; it belongs to one session of one
account (another member, a visitor after logging out, a new login never get it); a change to
what it shows (points awarded, a sign-up, an exchange point's operators) shows on the next
request; a page with a message is never stored; the header's unread count is the account's own.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from points import actions as points_actions
from services import actions as services_actions
from tests.conftest import make_user
from tests.factories import ExchangePointFactory
from tests.points.conftest import funded_member
from tests.services.conftest import make_activity, make_organisation

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BALANCE = re.compile(r'<span class="stat-value" id="balance">(\d+)</span>')


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    client.get("/")  # the first request after a login writes the session's start
    return client


def balance(client: Client) -> int:
    return int(BALANCE.search(client.get("/points/").content.decode())[1])


def queries_of(client: Client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("path", ["/me/", "/points/"])
def test_a_stored_page_answers_with_the_session_and_user_reads_only(path):
    client = logged_in(funded_member(40, name="王小明", user=make_user(email="a@example.cn")))
    rendered, first = queries_of(client, path)
    stored, again = queries_of(client, path)
    assert rendered > 2
    assert stored == 2  # the session and the user: what the bare view logged in reads
    assert ("王小明" if path == "/me/" else 'id="balance">40<') in again
    assert TOKEN.sub("", again) == TOKEN.sub("", first)


@pytest.mark.parametrize("path", ["/me/", "/points/"])
def test_another_member_never_gets_it(path):
    mine = logged_in(funded_member(40, name="王小明", user=make_user(email="a@example.cn")))
    theirs = logged_in(funded_member(75, name="李红", user=make_user(email="b@example.cn")))
    mine.get(path)
    mine.get(path)
    if path == "/me/":
        page = theirs.get(path).content.decode()
        assert "李红" in page and "王小明" not in page
    else:
        assert (balance(mine), balance(theirs)) == (40, 75)


def test_points_awarded_show_on_the_next_request():
    member = funded_member(40, user=make_user(email="a@example.cn"))
    client = logged_in(member)
    assert balance(client) == balance(client) == 40
    points_actions.award(member=member, amount=25, reason="志愿服务", source="test:next")
    assert balance(client) == 65


def test_a_sign_up_shows_on_the_next_request():
    member = funded_member(0, user=make_user(email="a@example.cn"))
    client = logged_in(member)
    activity = make_activity(organisation=make_organisation(), title="周末植树")
    client.get("/me/")
    assert "周末植树" not in client.get("/me/").content.decode()
    services_actions.sign_up(activity=activity, member=member)
    assert "周末植树" in client.get("/me/").content.decode()


def test_a_new_operator_sees_the_desk_link_on_the_next_request():
    point = ExchangePointFactory(name="红盟书吧兑换点")
    member = funded_member(0, user=make_user(email="a@example.cn"))
    client = logged_in(member)
    client.get("/points/")
    assert "/points/operator/" not in client.get("/points/").content.decode()
    point.operators.add(member.user)  # a many-to-many link: no post_save
    assert "/points/operator/" in client.get("/points/").content.decode()


def test_after_logging_out_and_in_again_the_page_is_rendered_anew():
    member = funded_member(40, user=make_user(email="a@example.cn"))
    client = logged_in(member)
    client.get("/me/")
    assert queries_of(client, "/me/")[0] == 2
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302  # to the login page, not the stored page
    client.force_login(member.user)
    client.get("/")
    assert queries_of(client, "/me/")[0] > 2


def test_a_page_with_a_message_is_neither_served_nor_stored():
    client = logged_in(funded_member(40, user=make_user(email="a@example.cn")))
    client.get("/points/")
    client.get("/points/")
    # A redeem link with no item: the view adds a message and sends the member back.
    assert client.get("/points/redeem/").status_code == 302
    count, with_message = queries_of(client, "/points/")
    assert count > 2
    assert 'class="messages"' in with_message
    assert 'class="messages"' not in client.get("/points/").content.decode()


def test_the_unread_count_in_the_header_is_the_accounts_own():
    member = funded_member(0, user=make_user(email="a@example.cn"))
    client = logged_in(member)
    client.get("/me/")
    assert 'class="inbox-count"' not in client.get("/me/").content.decode()
    # The count moves with an UPDATE of the account (no save signal, no version move).
    get_user_model().objects.filter(pk=member.user.pk).update(unread_notices=3)
    assert '<span class="inbox-count">3</span>' in client.get("/me/").content.decode()


def test_the_member_list_is_stored_per_session_and_shows_an_edit_at_once(staff):
    member = funded_member(0, name="王小明")
    client = Client()
    client.force_login(staff)
    client.get("/")
    client.get("/admin/members/member/")
    count, page = queries_of(client, "/admin/members/member/")
    assert count == 2
    assert "王小明" in page
    assert TOKEN.search(page)  # the action form posts with this visitor's token
    member.name = "王大明"
    member.save()
    assert "王大明" in client.get("/admin/members/member/").content.decode()
    searched = client.get("/admin/members/member/?q=李").content.decode()
    assert "王大明" not in searched
