"""The anonymous visitor's header, drawn once per language (members.templatetags.chrome): the
same markup as the template draws, with each request's own CSRF token and return path."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import _unmask_cipher_token
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from members.templatetags import chrome

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
NEXT = re.compile(r'name="next" type="hidden" value="([^"]*)"')


def _header(path: str, language: str) -> tuple[str, str]:
    """The header drawn by the tag and by the template itself, for one anonymous request."""
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    with translation.override(language):
        drawn = render_to_string("base.html", {}, request=request)  # through the tag
        template = render_to_string("includes/header.html", {}, request=request)
    start = drawn.index('<header class="site-header">')
    return drawn[start : drawn.index("</header>", start) + 9], template.strip()


def test_the_drawn_header_is_the_templates_own_in_both_languages(db):
    chrome._drawn.clear()
    for language, login in (("zh-hans", "党员登录"), ("en", "Member login")):
        for _ in range(2):  # drawn, then reused
            drawn, template = _header("/wishes/?page=7", language)
            assert TOKEN.sub("", drawn) == TOKEN.sub("", template)
            assert login in drawn and "/accounts/login/" in drawn
    assert len(chrome._drawn) == 2


def test_each_request_gets_its_own_token_and_escaped_return_path(db):
    chrome._drawn.clear()
    first, _ = _header("/wishes/?page=2&status=published", "zh-hans")
    second, _ = _header('/wishes/?q="><script>', "zh-hans")

    assert NEXT.findall(first) == ["/wishes/?page=2&amp;status=published"]
    assert NEXT.findall(second) == ["/wishes/?q=%22%3E%3Cscript%3E"]
    assert "<script>" not in second
    (token_one,), (token_two,) = TOKEN.findall(first), TOKEN.findall(second)
    assert token_one and token_two and token_one != token_two


def test_the_token_is_the_requests_and_its_cookie_is_set(client, db):
    """As `{% csrf_token %}` draws it: a masked copy of the secret in the cookie it sets."""
    for _ in range(2):  # drawn, then reused
        client.cookies.clear()
        response = client.get("/wishes/?page=3")
        (token,) = TOKEN.findall(response.content.decode())
        assert _unmask_cipher_token(token) == response.cookies["csrftoken"].value


def test_a_logged_in_member_gets_the_templates_header(client, member_user):
    client.force_login(member_user)
    page = client.get("/wishes/").content.decode()
    assert "inbox-link" in page and "退出登录" in page and "党员登录" not in page


def test_without_a_request_the_template_draws_it(db):
    chrome._drawn.clear()
    page = render_to_string("base.html", {})
    assert '<header class="site-header">' in page and "csrfmiddlewaretoken" not in page
    assert not chrome._drawn
