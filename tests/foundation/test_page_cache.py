"""Whole public pages stored for anonymous visitors (members.page_cache).

A stored page answers without a query; the action that changes what a page shows makes the
next request show it; a logged-in user is never served the anonymous page; each visitor's
page carries their own CSRF token (the header's language switcher still works).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from services import actions as services_actions
from tests.services.conftest import make_activity, make_member, make_organisation, make_service

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_stored_page_answers_without_a_query(client, django_assert_num_queries):
    make_service(title="助老理发")
    first = client.get("/services/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get("/services/")
    assert again.status_code == 200
    assert "助老理发" in again.content.decode()
    # The same page but for the visitor's CSRF token.
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())


def test_a_new_record_shows_at_once(client):
    assert "社区义诊" not in client.get("/services/").content.decode()
    make_service(title="社区义诊")
    assert "社区义诊" in client.get("/services/").content.decode()


def test_an_action_by_conditional_update_shows_at_once(client, staff):
    """Cancelling moves the sign-up with an UPDATE (no save signal): the places left move."""
    activity = make_activity(organisation=make_organisation(), capacity=3, title="植树")
    signup = services_actions.sign_up(activity=activity, member=make_member())

    def places_left() -> str:
        html = client.get("/activities/").content.decode()
        return re.sub(r"\s+", " ", html)

    taken = places_left()
    services_actions.cancel_sign_up(signup=signup, by=staff)
    assert places_left() != taken


def test_each_language_and_query_has_its_own_page(client):
    make_service(title="法律咨询")
    chinese = client.get("/services/").content.decode()
    english = client.get("/services/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-CN"' in chinese
    assert 'lang="en"' in english
    assert "法律咨询" not in client.get("/services/?q=不存在的服务").content.decode()


def test_a_logged_in_user_never_gets_the_anonymous_page(client, member_user):
    anonymous = client.get("/services/").content.decode()
    assert "Log out" not in anonymous and "退出" not in anonymous
    client.force_login(member_user)
    mine = client.get("/services/").content.decode()
    assert 'action="/accounts/logout/"' in mine
    client.logout()
    assert 'action="/accounts/logout/"' not in client.get("/services/").content.decode()


def test_each_visitor_gets_their_own_csrf_token():
    """The language switcher of a stored page posts with the visitor's own token."""
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    first.get("/services/")
    page = second.get("/services/")
    token = TOKEN.search(page.content.decode())[1]
    assert "csrftoken" in page.cookies  # set as when the page was rendered for them
    switched = second.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/services/", "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "en"
    assert token != TOKEN.search(first.get("/services/").content.decode())[1]


def test_a_visitor_with_a_message_waiting_gets_a_page_of_their_own(client):
    """The page is rendered for them (the message is shown, not a stored page without it)."""
    make_service(title="助老理发")
    client.get("/services/")
    client.cookies["messages"] = "anything"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/services/").status_code == 200
    assert len(queries) > 0


def test_a_post_is_never_answered_from_the_cache(client):
    client.get("/")
    assert client.post("/").status_code == 405
