"""The wall's page kept per worker for a plain anonymous visitor (WishListView._kept_page):
the page the template draws, with this request's token, path and cards; a change shows at once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from members import page_cache
from services.models import Category
from wishes import views as wishes_views
from wishes.models import Wish

URL = "/wishes/"


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "TOKEN", html)


def _wall(client, **query) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def wall(make_wish):
    return [make_wish(Wish.Status.PUBLISHED, title=f"心愿{i:02d}") for i in range(25)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", [{}, {"status": "published"}])
def test_the_kept_page_is_the_page_rendered(client, wall, monkeypatch, language, query):
    client.cookies["django_language"] = language
    _wall(client, page=2, **query)  # draws the page and keeps it
    kept = _wall(client, page=3, **query)
    assert len(wishes_views._KEPT_WALL) == 1
    cache.clear()  # the page cache's copy of page 3 gone
    monkeypatch.setattr(page_cache, "plain_visitor", lambda request: False)
    rendered = _wall(client, page=3, **query)

    assert _without_token(kept) == _without_token(rendered)
    assert "\x00" not in kept
    assert "心愿00" in kept and "心愿01" not in kept  # page 3's one card, the oldest
    # The language switcher's way back is this page's own path.
    assert "page=3" in kept.split("</header>")[0]


def test_a_fresh_visitor_gets_their_own_token_and_cookie(client, wall):
    _wall(client)
    response = Client().get(URL, {"page": 2})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', response.content.decode())
    assert token and token[1] != wishes_views._TOKEN_MARK and "\x00" not in token[1]
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_a_change_shows_at_once(client, wall, make_wish):
    assert "新的类别" not in _wall(client)
    Category.objects.create(code="new-kind", name="新的类别")  # the filter's choices
    make_wish(Wish.Status.PUBLISHED, title="刚发布的心愿")

    html = _wall(client)

    assert "新的类别" in html and "刚发布的心愿" in html


def test_each_filter_keeps_its_own_page(client, wall):
    _wall(client)
    filtered = _wall(client, status="published")

    assert len(wishes_views._KEPT_WALL) == 2
    assert re.search(r'<option value="published" selected>', filtered)


def test_an_invalid_filter_and_a_member_are_drawn_not_kept(client, wall, member_user):
    assert '<ul class="messages" role="status">' in _wall(client, status="nonsense")
    assert wishes_views._KEPT_WALL == {}
    client.force_login(member_user)

    html = _wall(client, page=2)

    assert wishes_views._KEPT_WALL == {}
    assert 'href="/wishes/mine/"' in html  # the member's own buttons
