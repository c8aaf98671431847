"""A member's own pages (/me/, /points/) stored per account (members.page_cache.own_page).

A stored page answers with the session and user reads only, in every session of the account
(32 sessions of one account render it once); it belongs to one account (another member, a
visitor after logging out, a session after a new password never get it); what differs per
visit is filled in on every serve (the CSRF token is the visitor's own, the redeem keys are
new each time and still give one voucher per key); a change to what it shows (points awarded,
a sign-up, an exchange point's operators) shows on the next request; a page with a message is
never stored; the header's unread count is the account's own.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from points import actions as points_actions
from points.models import Account, Voucher
from services import actions as services_actions
from tests.conftest import make_user
from tests.factories import ExchangePointFactory, ItemFactory
from tests.points.conftest import funded_member, stock_up
from tests.services.conftest import make_activity, make_organisation

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BALANCE = re.compile(r'<span class="stat-value" id="balance">(\d+)</span>')
KEY = re.compile(r'name="key" value="([0-9a-f]+)"')


def per_visit(page: str) -> str:
    """The page without what is filled in on every serve."""
    return KEY.sub("", TOKEN.sub("", page))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(member, **options) -> Client:
    client = Client(**options)
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


@pytest.mark.parametrize("path", ["/me/", "/points/"])
def test_another_session_of_the_account_is_served_the_stored_page(path):
    member = funded_member(40, name="王小明", user=make_user(email="a@example.cn"))
    phone, desk = logged_in(member), logged_in(member)
    rendered, first = queries_of(phone, path)
    stored, again = queries_of(desk, path)  # the desk's first GET of the page
    assert rendered > 2
    assert stored == 2  # the session and the user
    assert per_visit(again) == per_visit(first)


def test_thirty_two_sessions_of_one_account_render_the_page_once():
    # The bench's busiest member (benchmarks/web.py SESSIONS = 32): one render per version.
    member = funded_member(40, user=make_user(email="a@example.cn"))
    counts = [queries_of(logged_in(member), "/points/")[0] for _ in range(32)]
    assert counts[0] > 2
    assert counts[1:] == [2] * 31


def test_after_logging_out_the_page_is_not_served():
    member = funded_member(40, user=make_user(email="a@example.cn"))
    client = logged_in(member)
    client.get("/me/")
    assert queries_of(client, "/me/")[0] == 2
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302  # to the login page, not the stored page


def test_after_a_new_password_the_page_is_rendered_anew():
    member = funded_member(40, user=make_user(email="a@example.cn"))
    old = logged_in(member)
    old.get("/me/")
    assert queries_of(logged_in(member), "/me/")[0] == 2
    # An UPDATE: no save signal, the pages' version stays; only the session hash moves.
    get_user_model().objects.filter(pk=member.user.pk).update(password=make_password("新密码"))
    assert old.get("/me/").status_code == 302  # the old password's session has ended
    member.user.refresh_from_db()
    assert queries_of(logged_in(member), "/me/")[0] > 2


def test_redeem_keys_are_new_on_every_serve_and_each_gives_one_voucher():
    point = ExchangePointFactory(name="红盟书吧兑换点")
    for name in ("咖啡", "书签"):
        stock_up(point, ItemFactory(name=name, price=10), 50)
    member = funded_member(100, user=make_user(email="a@example.cn"))
    phone = logged_in(member, enforce_csrf_checks=True)
    desk = logged_in(member, enforce_csrf_checks=True)
    pages = [queries_of(client, "/points/")[1] for client in (phone, desk, phone, desk)]
    keys = [KEY.findall(page) for page in pages]
    assert all(len(found) == 2 for found in keys)
    assert len({key for found in keys for key in found}) == 8  # per offer, serve, session

    # From a served page (the desk's second): the confirmation, then the POST with its key.
    page, key = pages[3], keys[3][0]
    params = {"item": ..., "point": point.pk, "key": key}
    params["item"] = re.search(r'name="item" value="(\d+)"', page)[1]
    assert desk.get("/points/redeem/", params).status_code == 200
    token = TOKEN.search(page)[1]
    first = desk.post("/points/redeem/", {**params, "csrfmiddlewaretoken": token})
    again = desk.post("/points/redeem/", {**params, "csrfmiddlewaretoken": token})
    assert first.status_code == 302 and first["Location"] == again["Location"]
    assert Voucher.objects.count() == 1
    assert Account.objects.get(member=member).balance == 90


def test_the_csrf_token_of_a_served_page_is_the_visitors_own():
    member = funded_member(40, user=make_user(email="a@example.cn"))
    phone = logged_in(member, enforce_csrf_checks=True)
    desk = logged_in(member, enforce_csrf_checks=True)
    phone.get("/me/")
    mine = TOKEN.search(phone.get("/me/").content.decode())[1]
    theirs = TOKEN.search(desk.get("/me/").content.decode())[1]
    # The phone's token signs the desk out no more than a stranger's would.
    assert desk.post("/accounts/logout/", {"csrfmiddlewaretoken": mine}).status_code == 403
    assert desk.post("/accounts/logout/", {"csrfmiddlewaretoken": theirs}).status_code == 302


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


def test_the_member_list_is_stored_per_account_and_shows_an_edit_at_once(staff):
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


@pytest.mark.parametrize("path", ["/admin/", "/admin/members/member/"])
def test_another_session_of_the_staff_account_is_served_the_stored_page(staff, path):
    office, laptop = Client(), Client()
    for client in (office, laptop):
        client.force_login(staff)
        client.get("/")
    funded_member(0, name="王小明")
    rendered, first = queries_of(office, path)
    stored, again = queries_of(laptop, path)
    assert rendered > 4
    assert stored == (4 if path == "/admin/" else 2)  # the workspace: its two counts, too
    assert per_visit(again) == per_visit(first)
