"""The portal's own middleware: session limits (MLPS level 2) and the NUL-character rule."""

import time
from collections.abc import Callable, Iterator
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "_session_started_at"


class AbsoluteSessionLimitMiddleware:
    """End a logged-in session once it is older than SESSION_ABSOLUTE_LIMIT_SECONDS.

    The idle limit is SESSION_COOKIE_AGE renewed on every request; this caps the total,
    so a session kept alive by activity still ends after at most twelve hours.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - int(started) > settings.SESSION_ABSOLUTE_LIMIT_SECONDS:
                logout(request)
        return self.get_response(request)


class RejectNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, query string or form fields.

    PostgreSQL refuses NUL in text, so a NUL that reaches a query is a 500 (and SQLite would
    store it silently). No address, link or form of the portal ever carries one: it is only
    ever typed by someone probing. One portal-wide rule here, rather than a check in every
    view, means no view, form or third-party page (admin, allauth, import-export) can pass one
    to the database; the tight path converters (members.converters) already make most such
    paths a 404, and Django's form fields refuse NUL on their own, but raw `request.GET` /
    `request.POST` reads (admin filters, idempotency keys, search boxes) would not. Uploaded
    files are not looked at: binary content may contain NUL and never goes into a text column.

    It sits after the authentication, locale, clickjacking and CSP middleware, so the 400 page
    is rendered like every other page (language, login state, security headers); the session
    cookie itself is checked by the session store (deqing_hub.sessions).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            # BadRequest goes through handler400 (deqing_hub.views.bad_request).
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or NUL in unquote(request.META.get("QUERY_STRING", "")):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        # Parsing the form here is what CsrfViewMiddleware does anyway; a malformed
        # body raises MultiPartParserError, which Django answers with 400 as well.
        return any(NUL in key or NUL in value for key, value in _items(request.POST))
    return False


def _items(data) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        for value in values:
            yield key, value


NUL = "\x00"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
