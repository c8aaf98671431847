"""Whole pages cached, dropped whenever the portal's data moves: public pages for anonymous
visitors (`anonymous_page`), and a logged-in account's own pages for that account (`own_page`).

Measured at county scale (issue #20): the bare view costs about 1.5 ms, a public page that
renders its template 20-70 ms even with every query cached, so no page could come near its
target while it was rendered again for every visitor. Most visitors of the public pages
(home, ranking, covenant, services, activities, wish wall, projects) are not logged in and all
see the same page: `anonymous_page` serves them the response rendered for the first one.

What may differ between two anonymous visitors, and how each is handled:
- the language (`request.LANGUAGE_CODE`), the host, the path and query: parts of the key;
- the CSRF token of the header's language switcher: stored as a placeholder, filled per
  request with the visitor's own token (`get_token`, which also sets the cookie as rendering
  would have);
- flash messages: a visitor with a message waiting gets the page rendered for them, and a
  response is never stored when its view added a message or touched the session;
- logged-in users (header, staff links, their own rows): never served or stored here.
Cookies and the headers added by the middleware (CSP, Vary, Content-Language) are set on every
response as usual: the view sits inside the middleware, and no Set-Cookie is ever stored.

When a page is dropped: the key holds `version()`, a number moved by every save or delete of a
record any public page shows (`post_save`/`post_delete` of the portal's models, minus the
private bookkeeping in `_PRIVATE`, and `m2m_changed` of their links), by `members.transitions`
(conditional UPDATEs send no signal) and by `figures_version.bump()` (the actions that write
with `bulk_create` or `.update()` call it). A page is also kept at most `PAGE_SECONDS` (the
day's date is in the key too): what changes with the clock alone (an activity starting, a claim
becoming overdue) shows within that time. Past that, one worker renders the page again while
the others still serve the stored one (`cache.add` lock), so no stampede follows an expiry.

A logged-in account's own pages (`own_page`: /me/, /points/, the staff workspace, the member
changelist) are rendered 20-200 ms at county scale, against a 5-10 ms budget; they are stored
per account under the same version: a change to any record they show (points awarded, a sign-
up, a voucher, the member's record) moves it, so the next request renders again. One copy
serves every session of the account: stored per session, each new login, device or tab of a
shared office account rendered its own first copy (50-170 ms, the p99 of these pages in the
bench, issue #20), while nothing these pages show depends on the session. The key holds the
account's id and, hashed, its session hash (derived from the password: a new password starts
new pages) and its unread count (the header's inbox badge, which moves without a version bump):
another account, or a visitor after logging out (no longer authenticated), never finds the
entry. What must differ per visit is filled in on every serve instead of stored:
- the CSRF token (of the logout form, the language switcher, the admin's forms), as above;
- one-time keys (`one_time_key`: the redeem keys of /points/, one per offer, so a double tap
  gives one voucher): stored as numbered places, each filled with a new random key on every
  serve, so two sessions or two serves never share a key.
Only a GET for a logged-in account with no message waiting is served from or stored in the
cache; the same rules as above keep out responses that set a cookie, add a message or touch
the session. Pages holding what the member typed (forms after a POST) or a secret shown once
are never decorated.

Lives in members (the lowest layer) so that every app's views can use it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone

from members.versions import CacheVersion, read_numbers

VERSION_KEY = "pages:version"
PAGE_SECONDS = 60
STALE_SECONDS = 30
LOCK_SECONDS = 30

# The apps whose records the public pages show; within them, rows no public page reads.
_PUBLIC_APPS = frozenset(
    {"members", "rota", "points", "services", "projects", "wishes", "deqing_hub"}
)
_PRIVATE = frozenset(
    {
        "members.AuditEvent",
        "members.Invitation",
        "members.PersonalDataReveal",
        "members.SheetJob",
        "rota.Reminder",
        "points.ReconciliationRun",
        "wishes.StaffDigest",
    }
)
# A login, an inbox count or a language preference changes nothing a public page shows.
_PRIVATE_USER_FIELDS = frozenset({"last_login", "unread_notices", "language", "password"})

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
_TOKEN_SLOT = b'name="csrfmiddlewaretoken" value="\x00csrf\x00"'
# A one-time key's place in a stored page: `\x00once<n>\x00`, n counting the page's keys.
_ONCE_SLOT = re.compile(rb"\x00once(\d+)\x00")
_ONCE_KEYS = "_page_cache_one_time_keys"
_KEPT_HEADERS = ("Content-Type", "Content-Disposition")


PAGES = CacheVersion(VERSION_KEY)


def version() -> int:
    """The number every stored page's key holds (members.versions: its rules)."""
    return PAGES.read()


def request_version(request: HttpRequest) -> int:
    """`version()` as this request's page key holds it, read once: a view under
    `anonymous_page` that keys its own fragments on it spares a round trip (the wish wall)."""
    current = getattr(request, "page_cache_version", None)
    return version() if current is None else current


def bump() -> None:
    """Drop every stored page: at once (this transaction's next page shows the change) and
    again on commit (a page rendered between the two from the data before it is not kept)."""
    PAGES.bump()


def is_public(model: type[models.Model], fields=None) -> bool:
    """Whether a change to `model`'s rows (to `fields`, if known) can show on a public page."""
    label = model._meta.label
    if model._meta.app_label not in _PUBLIC_APPS or label in _PRIVATE:
        return False
    return not (
        label == settings.AUTH_USER_MODEL and fields and set(fields) <= _PRIVATE_USER_FIELDS
    )


def bump_if_public(model: type[models.Model], fields=None) -> None:
    if is_public(model, fields):
        bump()


def _changed(sender: type[models.Model], **kwargs) -> None:
    bump_if_public(sender, kwargs.get("update_fields"))


def _relation_changed(sender: type[models.Model], action: str, **kwargs) -> None:
    # A many-to-many link (an exchange point's operators, a user's groups) is saved without
    # post_save; `sender` is the link table, in the app of the model declaring the field.
    if action in ("post_add", "post_remove", "post_clear"):
        bump_if_public(sender)


post_save.connect(_changed, dispatch_uid="page_cache")
post_delete.connect(_changed, dispatch_uid="page_cache")
m2m_changed.connect(_relation_changed, dispatch_uid="page_cache")


def _cacheable_visitor(request: HttpRequest) -> bool:
    if request.method != "GET" or CookieStorage.cookie_name in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True  # no session: anonymous, and no message can wait in one
    # One session read, which the header would make anyway.
    return not request.user.is_authenticated and "_messages" not in request.session


def plain_visitor(request: HttpRequest) -> bool:
    """Whether `anonymous_page` serves this request from the cache: an anonymous GET with no
    message waiting. A view may keep its own whole page for such a visitor (the ranking's
    published month) on the same terms."""
    return _cacheable_visitor(request)


def _cacheable_account(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and CookieStorage.cookie_name not in request.COOKIES
        and request.user.is_authenticated
        and "_messages" not in request.session
    )


def _nobody(request: HttpRequest) -> str:
    return ""


def _account(request: HttpRequest) -> str:
    user = request.user
    # No session key: every session of the account shares the page (see the module's text).
    # Hashed: the session hash is derived from the password's, and must not be readable in
    # the cache's key list.
    secret = ":".join(
        (
            user.get_session_auth_hash(),  # type: ignore[union-attr]
            str(user.unread_notices),  # type: ignore[union-attr]
        )
    )
    return f"u{user.pk}:{hashlib.sha256(secret.encode()).hexdigest()[:24]}"


def one_time_key(request: HttpRequest) -> str:
    """A fresh random key for one use of what the page offers (the redeem keys of /points/).

    A stored page holds the key's place, not the key: each serve fills every place with a new
    key, so two sessions of the account, or two serves to one, never share one."""
    key = uuid.uuid4().hex
    keys = getattr(request, _ONCE_KEYS, None)
    if keys is None:
        keys = []
        setattr(request, _ONCE_KEYS, keys)
    keys.append(key)
    return key


def _key(request: HttpRequest, extra: object, numbers: Sequence[str] = ()) -> tuple[str, bool]:
    """The page's key, and whether it is new: a number in it was just restarted by this
    request (Redis lost it), so no page can be stored under it yet - not worth a round trip."""
    path = hashlib.sha256(
        f"{request.get_host()}\x00{request.get_full_path()}".encode(errors="replace")
    ).hexdigest()
    restarted: set[str] = set()
    found = read_numbers([VERSION_KEY, *numbers], restarted)
    current = request.page_cache_version = PAGES.read(found)  # type: ignore[attr-defined]
    return ":".join(
        (
            "page",
            str(current),
            str(extra),
            *(str(found[number]) for number in numbers),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
            timezone.localdate().isoformat(),
            path,
        )
    ), bool(restarted)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        # The CSRF cookie a `csrf_protect`ed view (the admin's) sets itself is set again when
        # the stored page is served (`get_token` in `_response`); any other cookie is personal.
        and not set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
        and not (isinstance(messages, BaseStorage) and messages.added_new)
        and not (session is not None and session.modified)
    )


def _response(request: HttpRequest, entry: tuple) -> HttpResponse:
    _refresh_at, headers, content = entry
    if _TOKEN_SLOT in content:
        token = f'name="csrfmiddlewaretoken" value="{get_token(request)}"'.encode()
        content = content.replace(_TOKEN_SLOT, token)
    if b"\x00once" in content:
        fresh: dict[bytes, bytes] = {}
        content = _ONCE_SLOT.sub(
            lambda slot: fresh.setdefault(slot[1], uuid.uuid4().hex.encode()), content
        )
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def _render_and_store(view, request, args, kwargs, key: str, lock: str | None) -> HttpResponse:
    try:
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if _storable(request, response):
            content = response.content
            if response.get("Content-Type", "").startswith("text/html"):
                content = _TOKEN.sub(_TOKEN_SLOT, content)
            for number, once in enumerate(getattr(request, _ONCE_KEYS, ())):
                content = content.replace(once.encode(), b"\x00once%d\x00" % number)
            headers = [(h, response[h]) for h in _KEPT_HEADERS if response.has_header(h)]
            entry = (time.time() + PAGE_SECONDS, headers, content)
            cache.set(key, entry, PAGE_SECONDS + STALE_SECONDS)
        return response
    finally:
        if lock:
            cache.delete(lock)


def anonymous_page(extra: Callable[[], object] | None = None, numbers: Sequence[str] = ()):
    """Serve the view's response to anonymous GETs from the cache (see the module's text).

    `extra()` is a further part of the key, for a page that also shows data moved without a
    save signal by something of its own; `numbers`, the cache keys of such versions (the
    ranking's, the attendance stamp: `members.versions`), are read into the key with the pages'
    own version in one round trip."""
    return _cached_page(_cacheable_visitor, _nobody, extra, numbers)


def own_page(extra: Callable[[], object] | None = None):
    """Serve a logged-in account's GETs of the view from the cache kept for that account, in
    any of its sessions (see the module's text); anyone else goes to the view. `extra()` as for
    `anonymous_page`; a one-time key in the page comes from `one_time_key`."""
    return _cached_page(_cacheable_account, _account, extra, ())


def _cached_page(
    cacheable: Callable[[HttpRequest], bool],
    who: Callable[[HttpRequest], str],
    extra: Callable[[], object] | None,
    numbers: Sequence[str],
):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not cacheable(request):
                return view(request, *args, **kwargs)
            key, new = _key(request, f"{who(request)}:{extra() if extra else ''}", numbers)
            # A key with a number just restarted holds nothing yet (the cold ranking in the
            # bench, whose Redis is emptied every 10 ms: 4 round trips a page -> 3).
            entry = None if new else cache.get(key)
            if entry is None:
                return _render_and_store(view, request, args, kwargs, key, None)
            lock = f"{key}:lock"
            if time.time() >= entry[0] and cache.add(lock, 1, LOCK_SECONDS):
                return _render_and_store(view, request, args, kwargs, key, lock)
            return _response(request, entry)

        return wrapper

    return decorator
