"""No hostile request gives a 5xx (issue 13).

The walk takes every URL pattern of the portal from the URL conf (the public pages, allauth
and the whole staff admin), not from a list, and for each one, as an anonymous visitor, a
member and centre staff:

- puts hostile values into each path parameter (NUL, huge and out-of-range numbers, zero,
  negative numbers, over-long text, invalid UTF-8, a bidi override and SQL-looking text);
- opens it with ordinary values (rows of the role matrix's world) and, when the page is there,
  sends hostile query strings: the usual names (page, year, month, format, q, p, o ...) and
  every parameter name the page itself offers in its links and GET forms (admin filters, date
  hierarchy, sort order, the public pages' filters);
- posts a hostile form to every page that takes POST: the page's own fields (huge numbers in
  number fields, SQL-looking, bidi and over-long text in the others, choices and row ids that
  are none) and the names the portal's views read; the public pages also get a form with NUL.

Any 5xx is collected, and all of them are reported together. The test client is told not to
re-raise a view's exception, so a crash is counted as the 500 a visitor would see. NUL only
crashes on PostgreSQL (CI); the walk runs on SQLite too.

Before the walk, the cases measured on a production-settings server (gunicorn, PostgreSQL) and
their neighbours are tested one by one: over-long login names on both login pages, NUL in
paths, queries, forms and the session cookie, impossible numbers in paths, invalid UTF-8 and
malformed form bodies, and the admin's guards (deqing_hub.admin_site).
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

import pytest
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.signals import got_request_exception
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import repercent_broken_unicode
from django.utils.regex_helper import normalize

from deqing_hub.security import axes_username
from members.audit import AuditEvent
from members.models import Branch, Member
from points.models import Account, ExchangePoint, Item, Stock
from rota.models import DutyWeek, Organisation, SwapRequest
from services.models import Activity, Category, Service, ServiceRequest
from tests.roles.conftest import world  # noqa: F401 (the role matrix's world of rows)
from tests.roles.matrix import PageSpec, _widget_data, collect
from wishes.models import Claim, Wish

PERSONAS = ("anonymous", "member", "centre_staff")

HUGE = "99999999999999999999"
# Text that is everything at once: a right-to-left override, SQL, and long; in a URL also
# invalid UTF-8 (a form's text is UTF-8 by construction; test_invalid_utf8_in_a_login_form...
# sends raw bytes).
GARBAGE_TEXT = "\u202e' OR '1'='1'; DROP TABLE x; --" + "a" * 300
GARBAGE = "%ff%fe" + quote(GARBAGE_TEXT)

# Values put into path parameters, percent-encoded as they travel. A URL the URL conf itself
# refuses (most of them, with the portal's tight converters) is an ordinary 404 and is not
# sent (the tests of impossible paths below check those pages); the rest reach a view.
# An admin page's object id goes through the same few ModelAdmin methods whatever its kind of
# wrong, so it gets text and a number (a NUL is answered before any URL is resolved, by
# RejectNulMiddleware: the public patterns that take any text get it, and the NUL tests
# below); a page the persona is sent to log in for gets one value (its login check comes
# before any parameter).
PATH_VALUES = {
    "NUL": "%00",
    "garbage": GARBAGE,
    "huge": HUGE,
    "negative": "-1",
    "bigint+1": str(2**63),
    "zero": "0",
    "long": "a" * 300,
}
ADMIN_PATH_VALUES = ("garbage", "huge")
LOGIN_FIRST_PATH_VALUES = ("garbage",)

# Query strings for every page that opens. Django's changelist stops at the first parameter it
# refuses (a redirect with ?e=1), so what it would refuse early goes in a request of its own.
PUBLIC_QUERIES = (
    f"page={HUGE}&year={HUGE}&month={HUGE}&format=json&past=1"
    f"&q={GARBAGE}&code={GARBAGE}&t={GARBAGE}&next={GARBAGE}",
    "page=-1&year=-1&month=13&format=xml&%ff%fe=%ff%fe&category=%ff",
    "q=%00",
)
ADMIN_QUERIES = ("%ff%fe=%ff%fe", "_to_field=%ff&_popup=1&_changelist_filters=%ff%fe")
CHANGELIST_QUERIES = ("q=%00", "p=-1&o=-1.x.-99")
# Every parameter a page offers in its own links and GET forms (filters, date hierarchy, sort
# order and search of a changelist, the public pages' filters) gets these, all at once.
OFFERED_PARAM_VALUES = (HUGE, GARBAGE)

# Field names the portal's forms and views read, with hostile values.
HOSTILE_FORM = {
    "login": "a" * 300,
    "username": "a" * 300,
    "password": "a" * 300,
    "email": "a" * 300 + "@example.cn",
    "mobile": HUGE,
    "organisation": HUGE,
    "point": "abc",
    "item": "-1",
    "key": "k" * 300,
    "code": "\u202e' OR '1'='1",
    "t": "t" * 300,
    "q": "\u202e" * 50,
    "reason": "' OR 1=1; --" * 30,
    "text": "x" * 10_000,
    "title": "\u202e" + "标题" * 200,
    "details": "\ufeff" * 500,
    "year": HUGE,
    "month": HUGE,
    "week": HUGE,
    "amount": HUGE,
    "quantity": "-" + HUGE,
    "score": "-1",
    "rating": HUGE,
    "promised_on": "99999-99-99",
    "starts_at": "-1",
    "language": "x" * 300,
    "next": "//evil.example/" + "a" * 300,
    # A changelist's action form: the action is the page's own (see Walk.route), the rows
    # are not rows. Never `post`: that confirms a deletion.
    "action": "delete_selected",
    "_selected_action": ["abc", HUGE, "-1"],
    "index": "-1",
    "import_format": HUGE,
    "format": HUGE,
}
NUL_FORM = {"q": "\x00", "login": "\x00", "key": "\x00", "_selected_action": "\x00"}


# --- The cases measured on a production-settings server, and their neighbours ---------------

LOGIN_PAGES = {
    "member login": ("/accounts/login/", "login"),
    "staff admin": ("/admin/login/", "username"),
}


@pytest.fixture
def no_crash_logged():
    """Fails the test if a request raised (what Django logs and answers with a 500)."""
    crashes = []

    def crashed(sender, request=None, **kwargs):
        crashes.append(repr(sys.exc_info()[1]))

    got_request_exception.connect(crashed)
    yield
    got_request_exception.disconnect(crashed)
    assert not crashes


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_an_over_long_login_name_is_a_form_error_in_chinese(page, db, no_crash_logged):
    url, field = LOGIN_PAGES[page]
    response = Client().post(url, {field: "1" * 300, "password": "x" * 20})
    assert response.status_code == 200
    text = response.content.decode()
    assert "登录名最多 254 个字符" in text
    assert 'maxlength="254"' in text
    # Refused before authentication: Axes and the audit trail never saw it.
    assert not AccessAttempt.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE).exists()


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_the_longest_login_name_is_an_ordinary_failed_login(page, db, no_crash_logged):
    """254 characters pass the form, fail the login, and fit Axes' and the audit's columns."""
    url, field = LOGIN_PAGES[page]
    typed = "a@" + "b" * 248 + ".cn"
    assert len(typed) == 253
    response = Client().post(url, {field: typed + "x", "password": "x" * 20})
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == (typed + "x").lower()
    failure = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILURE)
    assert failure.username.startswith("a***@bbb")
    assert len(failure.username) == AuditEvent._meta.get_field("username").max_length


def test_the_axes_key_always_fits_its_column(db):
    column = AccessAttempt._meta.get_field("username").max_length
    # "İ" lower-cases to two characters; NUL is never looked up (PostgreSQL refuses it).
    for typed in ("İ" * 300, "a\x00b" * 100, " " + "x" * 1000):
        assert len(axes_username(None, {"login": typed})) <= column


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_invalid_utf8_in_a_login_form_is_a_form_error(page, db, no_crash_logged):
    url, field = LOGIN_PAGES[page]
    body = f"{field}=%ff%fe%fd&password=%c3%28".encode()
    response = Client().post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("anonymous", "/rota/feed/%00.ics"),
        ("member", "/points/vouchers/%00/"),
        ("member", "/points/vouchers/%00/qr.svg"),
        ("staff", "/admin/members/member/%00/change/"),
        ("anonymous", "/services/?q=%00"),
        ("staff", "/admin/members/member/?q=abc%00"),
        ("anonymous", "/rota/?year=2026%00"),
    ],
)
def test_a_nul_in_the_address_is_a_bad_request_page_in_chinese(
    who, url, member_user, staff, no_crash_logged
):
    client = Client()
    if who != "anonymous":
        client.force_login(member_user if who == "member" else staff)
    response = client.get(url)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
    assert response["Content-Security-Policy"]  # rendered like every other page


def test_a_nul_in_a_form_is_a_bad_request(member_user, no_crash_logged):
    client = Client()
    client.force_login(member_user)
    response = client.post("/wishes/new/", {"title": "公交\x00线路", "text": "x"})
    assert response.status_code == 400


def test_a_malformed_multipart_body_is_a_bad_request(member_user, no_crash_logged):
    client = Client()
    client.force_login(member_user)
    response = client.post(
        "/wishes/new/", b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/ranking/99999999999999999999/01/",
        "/ranking/99999999999999999999/",
        "/ranking/2026/99999999999999999999/",
        "/ranking/2026/-1/",
        "/ranking/-2026/01/",
        "/ranking/0000/01/",  # four digits, no such year: the ranking's own 404 message
        "/ranking/2026/13/",
        "/wishes/9223372036854775808/",  # one above the largest row id
        "/wishes/9223372036854775807/",
        "/wishes/0/",
        "/services/requests/99999999999999999999/",
        "/rota/acknowledge/" + "a" * 600 + "/",
        "/rota/feed/" + "a" * 100 + ".ics",
    ],
)
def test_impossible_numbers_and_tokens_in_the_path_are_not_found(url, db, no_crash_logged):
    response = Client().get(url)
    assert response.status_code == 404


def test_a_forged_session_cookie_is_no_session(member_user, no_crash_logged):
    client = Client()
    # Quoted-string rules turn \000 in a cookie into NUL characters.
    client.cookies["sessionid"] = "\x00" * 32
    assert client.get("/").status_code == 200
    assert client.get("/me/").status_code == 302  # off to log in, as without a cookie


def test_a_request_for_another_host_gets_the_400_page(db, no_crash_logged):
    # The 400 page is rendered before anything knows the user or the host.
    response = Client().get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_an_admin_action_on_rows_that_cannot_exist_is_a_bad_request(staff_client, no_crash_logged):
    Category.objects.get_or_create(code="volunteer", defaults={"name": "志愿帮扶"})
    for selected in ("abc", HUGE, "1\u202e"):
        response = staff_client.post(
            "/admin/services/category/",
            {"action": "delete_selected", "_selected_action": [selected], "index": "0"},
        )
        assert response.status_code == 400, selected


def test_a_date_hierarchy_year_too_big_is_a_bad_request(staff_client, no_crash_logged):
    for url in (
        f"/admin/wishes/wish/?created_at__year={HUGE}",
        f"/admin/wishes/wish/?created_at__year=2026&created_at__month={HUGE}",
        f"/admin/wishes/wish/export/?created_at__year={HUGE}",
    ):
        assert staff_client.get(url).status_code == 400, url
    # A wrong but small value is Django's own answer: the changelist without filters.
    assert staff_client.get("/admin/wishes/wish/?created_at__year=abc").status_code == 302


def test_an_export_with_filters_that_do_not_apply_is_a_bad_request(staff_client, no_crash_logged):
    response = staff_client.get("/admin/members/enterprise/export/?nonsense=1")
    assert response.status_code == 400


def test_an_autocomplete_field_posted_with_a_non_id_is_a_bad_request(staff_client, no_crash_logged):
    for value in ("abc", HUGE, "1' OR '1'='1"):
        response = staff_client.post(
            "/admin/members/member/add/", {"name": "王小明", "branch": value}
        )
        assert response.status_code == 400, value
    # An id that could exist but does not is the form's ordinary error.
    response = staff_client.post(
        "/admin/members/member/add/", {"name": "王小明", "branch": "999999"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("make_url", "data"),
    [
        (lambda: f"/admin/points/account/{_account().pk}/adjust/", {"reason": "补录"}),
        (lambda: f"/admin/points/stock/{_stock().pk}/move/", {"kind": "restock", "reason": "补货"}),
    ],
)
def test_a_number_past_the_database_column_is_a_form_error(
    make_url, data, staff_client, no_crash_logged
):
    url = make_url()
    for number in (HUGE, str(2**31), "100001"):
        response = staff_client.post(url, {**data, "amount": number, "quantity": number})
        assert response.status_code == 200, number
        assert "确保该值小于或等于100000" in response.content.decode().replace(" ", "")


def _account():
    branch = Branch.objects.create(name="测试支部", kind="centre")
    return Account.objects.create(
        member=Member.objects.create(name="王小明", gender="m", branch=branch)
    )


def _stock():
    point = ExchangePoint.objects.create(name="红盟书吧兑换点")
    item = Item.objects.create(name="电影票", kind="cinema_ticket", price=50)
    return Stock.objects.create(point=point, item=item)


# --- The walk ----------------------------------------------------------------------------------

# The model a public page's id names, by the path segment before it ("wishes/<id>/").
SEGMENT_MODELS = {
    "weeks": DutyWeek,
    "swaps": SwapRequest,
    "organisations": Organisation,
    "invite": Organisation,
    "services": Service,
    "requests": ServiceRequest,
    "activities": Activity,
    "wishes": Wish,
    "claims": Claim,
    "branches": Branch,
    "volunteers": Member,
}


@dataclass(frozen=True)
class Route:
    template: str  # "/rota/feed/%(token)s.ics"
    params: tuple[str, ...]
    callback: object
    name: str  # "rota:organisation_feed", or the template for a pattern without a name

    def url(self, values: dict[str, str]) -> str:
        return self.template % values

    @property
    def is_admin(self) -> bool:
        return self.template.startswith("/admin/")


def portal_routes() -> list[Route]:
    """Every endpoint of the URL conf, as a %-format string of its path parameters."""

    def walk(patterns, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            # The form Django's own reverse() uses (first alternative of each group).
            template, _params = normalize(entry.pattern.regex.pattern)[0]
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + template, inner)
            else:
                full = "/" + prefix + template
                params = tuple(re.findall(r"%\((\w+)\)s", full))
                name = f"{namespace}{entry.name}" if entry.name else full
                yield Route(full, params, entry.callback, name)

    return list(walk(get_resolver().url_patterns, "", ""))


ROUTES = portal_routes()
# The walk of one persona in three parts, so parallel test workers share it: the portal's own
# pages and allauth's, and the admin's in two halves (every other route).
_ADMIN = [route for route in ROUTES if route.is_admin]
SECTIONS = {
    "pages": [route for route in ROUTES if not route.is_admin],
    "admin-1": _ADMIN[0::2],
    "admin-2": _ADMIN[1::2],
}


def _model_admin(callback) -> admin.ModelAdmin | None:
    view = callback
    while view is not None:
        if isinstance(getattr(view, "model_admin", None), admin.ModelAdmin):
            return view.model_admin
        if isinstance(getattr(view, "__self__", None), admin.ModelAdmin):
            return view.__self__
        view = getattr(view, "__wrapped__", None)
    return None


def _first_pk(model, rows: dict) -> str:
    if model is get_user_model():
        # Not one of the personas: a hostile form posted to the account's change page would
        # save (unticked boxes are False) and end the walking persona's session.
        return str(rows["requester"].pk)
    pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(pk if pk is not None else 1)


def plain_values(route: Route, rows: dict) -> dict[str, str]:
    """Ordinary values for the route's parameters: those of a role-matrix page of the same
    view (a real token, a published month), else a row that exists, this month, ..."""
    today = timezone.localdate()
    values = {}
    known = rows["page_kwargs"].get(route.name, {})
    for param in route.params:
        before = route.template.split(f"%({param})s")[0].rstrip("/").rsplit("/", 1)[-1]
        model_admin = _model_admin(route.callback)
        if param in known:
            values[param] = known[param]
        elif param == "year":
            values[param] = str(today.year)
        elif param == "month":
            values[param] = str(today.month)
        elif param == "app_label":
            values[param] = "members"
        elif param == "code":
            values[param] = rows["voucher"]["own"].code
        elif model_admin is not None and param in ("object_id", "pk", "id"):
            values[param] = _first_pk(model_admin.model, rows)
        elif before in SEGMENT_MODELS:
            values[param] = _first_pk(SEGMENT_MODELS[before], rows)
        else:
            values[param] = "1"
    return values


def _forms(page: str, *, post: bool) -> Iterator[str]:
    for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S | re.I):
        opening = form[: form.index(">")]
        if bool(re.search(r'method="?post', opening, flags=re.I)) == post:
            yield form


def _field_names(form: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"', form))


def offered_params(response, path: str) -> set[str]:
    """Query parameter names the page offers: its links back to itself and its GET forms."""
    if "text/html" not in response.get("Content-Type", ""):
        return set()
    page = response.content.decode(errors="replace")
    names = set()
    for href in re.findall(r'href="([^"]*\?[^"]*)"', page):
        parts = urlsplit(html.unescape(href))
        if parts.path in ("", path):
            names.update(name for name, _value in parse_qsl(parts.query, keep_blank_values=True))
    for form in _forms(page, post=False):
        names.update(_field_names(form))
    return names - {"csrfmiddlewaretoken"}


def offered_fields(response) -> set[str]:
    """The names of the fields (and named buttons) of the page's POST forms."""
    if "text/html" not in response.get("Content-Type", ""):
        return set()
    page = response.content.decode(errors="replace")
    names = set()
    for form in _forms(page, post=True):
        names.update(_field_names(form))
    # `post` confirms an admin deletion; the token is the test client's business.
    return names - {"csrfmiddlewaretoken", "post"}


NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


def page_forms(response) -> Iterator[tuple[forms.BaseForm, bool]]:
    """The forms of the page's context, each with whether it is one form of a formset (the
    admin wraps its forms: AdminForm.form, InlineAdminFormSet.formset)."""
    if response.context is None:
        return
    # One context per template rendered (a ContextList), or just one.
    contexts = response.context if isinstance(response.context, list) else [response.context]
    found = [(value, False) for context in contexts for value in context.flatten().values()]
    seen: set[int] = set()
    for value, in_formset in found:
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, forms.BaseFormSet):
            found.extend((form, True) for form in [value.management_form, *value.forms])
        elif isinstance(value, forms.BaseForm):
            yield value, in_formset
        elif isinstance(value, list | tuple):
            found.extend((item, in_formset) for item in value)
        else:
            found.extend(
                (getattr(value, name), in_formset)
                for name in ("form", "formset")
                if hasattr(value, name)
            )


def offered_field_types(response) -> dict[str, type]:
    """The form fields of the page's context by their posted name."""
    return {
        form.add_prefix(name): type(field)
        for form, _in_formset in page_forms(response)
        for name, field in form.fields.items()
    }


def _plausible(key: str, field: forms.Field) -> dict:
    """A value the field accepts (or nothing, for a file or a field of unknown kind)."""
    today = timezone.localdate().isoformat()
    if isinstance(field, forms.ModelChoiceField):
        row = field.queryset.first()
        if row is None:
            return {}
        value = field.prepare_value(row)
        return {key: [value] if isinstance(field, forms.ModelMultipleChoiceField) else value}
    if isinstance(field, forms.ChoiceField):
        choices = [
            value
            for value, label in field.choices
            if value not in ("", None) and not isinstance(label, list | tuple)
        ]
        if not choices:
            return {}
        return {key: choices[:1] if isinstance(field, forms.MultipleChoiceField) else choices[0]}
    if isinstance(field, forms.SplitDateTimeField):
        return {f"{key}_0": today, f"{key}_1": "09:00"}
    plain = {
        forms.BooleanField: "on",
        forms.DateTimeField: f"{today} 09:00",
        forms.DateField: today,
        forms.TimeField: "09:00",
        forms.EmailField: "hostile@example.cn",
        forms.URLField: "https://example.cn/",
        forms.CharField: "测试",
    }
    for kind, value in plain.items():
        if isinstance(field, kind):
            return {key: value}
    return {}


def numbers_form(response) -> dict | None:
    """The page's form filled in plausibly, except every number: one too big for a database
    column. None when the page's forms have no number field.

    (The hostile form fills every field with hostile values at once, so the first field the
    form refuses hides what a number too big would do further on.) A formset's forms are
    posted as rendered: filling its empty extra forms would only add refusals.
    """
    data, numbers = {}, False
    for form, in_formset in page_forms(response):
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            if field.disabled:
                continue
            if in_formset:
                bound = form[name]
                data.update(_widget_data(field.widget, bound.html_name, bound.value()))
            elif isinstance(field, NUMBER_FIELDS):
                data[key], numbers = HUGE, True
            else:
                data.update(_plausible(key, field))
    return data if numbers else None


def hostile_form(fields: set[str], types: dict[str, type], action: str | None) -> dict:
    """The usual names and the page's own fields: huge numbers in number fields, hostile text
    (SQL, bidi, long; a choice or a row id that is no choice) everywhere else.

    A changelist's action form gets the page's first action with rows that are not rows,
    never `select_across` (that would apply the action to every row).
    """
    data = dict(HOSTILE_FORM)
    for name in fields:
        data[name] = HUGE if issubclass(types.get(name, str), NUMBER_FIELDS) else GARBAGE_TEXT
    data.update(
        {
            "action": action or "delete_selected",
            "_selected_action": ["abc", HUGE, "-1"],
            "select_across": "0",
            "index": "0",
        }
    )
    return data


class Walk:
    """Sends the requests of one persona and keeps every 5xx with its exception."""

    def __init__(self, persona: str, user) -> None:
        self.persona = persona
        self.user = user
        self.client = Client(raise_request_exception=False)
        self.failures: list[str] = []
        self.sent = 0
        self._exception: BaseException | None = None
        self._login()

    def _login(self) -> None:
        if self.user is not None:
            self.client.force_login(self.user)

    def _logged_in(self) -> bool:
        return "_auth_user_id" in self.client.session

    def _caught(self, sender, request=None, **kwargs) -> None:
        self._exception = sys.exc_info()[1]

    def send(self, method: str, url: str, **kwargs):
        self._exception = None
        got_request_exception.connect(self._caught)
        try:
            response = getattr(self.client, method)(url, **kwargs)
        finally:
            got_request_exception.disconnect(self._caught)
        self.sent += 1
        status = response.status_code
        # /healthz/ says 503 by design when a configured service does not answer.
        if status >= 500 and not (url.startswith("/healthz/") and status == 503):
            cause = repr(self._exception)[:200] if self._exception else ""
            self.failures.append(
                f"{method.upper()} {url[:200]} as {self.persona}: {status} {cause}"
            )
        if self.user is not None and method == "post" and not self._logged_in():
            self._login()  # a logout page ended the session
        return response

    def post_hostile(self, url: str, bodies: list[dict], nul: bool) -> None:
        for body in bodies:
            self.send("post", url, data=body)
        if nul:
            self.send("post", url, data=NUL_FORM)

    def route(self, route: Route, rows: dict) -> None:
        # 1. The page with ordinary values.
        plain = plain_values(route, rows)
        url = route.url(plain)
        response = self.send("get", url)
        login_first = response.status_code == 302 and "/login/" in response["Location"]
        # 2. Hostile values in the path, one parameter at a time.
        if login_first:
            kinds = LOGIN_FIRST_PATH_VALUES
        elif route.is_admin:
            kinds = ADMIN_PATH_VALUES
        else:
            kinds = tuple(PATH_VALUES)
        for param in route.params:
            for kind in kinds:
                hostile = route.url({**plain, param: PATH_VALUES[kind]})
                if not resolves(hostile):
                    continue
                if self.send("get", hostile).status_code == 405:
                    self.send("post", hostile, data=HOSTILE_FORM)
        # 3. Hostile queries to a page that opens, and the parameters it offers.
        action, fields, types, numbers = None, set(), {}, None
        if response.status_code == 200:
            fields, types = offered_fields(response), offered_field_types(response)
            numbers = numbers_form(response)
            changelist = response.context is not None and "cl" in response.context
            queries = PUBLIC_QUERIES
            if route.is_admin:
                queries = ADMIN_QUERIES + (CHANGELIST_QUERIES if changelist else ())
            for query in queries:
                self.send("get", f"{url}?{query}")
            offered = sorted(offered_params(response, url))
            for value in OFFERED_PARAM_VALUES if offered else ():
                self.send("get", f"{url}?" + "&".join(f"{quote(n)}={value}" for n in offered))
            if changelist:
                action = first_action(response)
        # 4. Hostile forms. An admin deletion page deletes on any POST: hostile ids only (2.).
        if response.status_code in (200, 405) and not route.name.endswith("_delete"):
            # A NUL in a form never reaches a view (RejectNulMiddleware): the public pages show it.
            posted = [hostile_form(fields, types, action), *([numbers] if numbers else [])]
            self.post_hostile(url, posted, nul=not route.is_admin)


def resolves(url: str) -> bool:
    """Whether the URL conf sends `url` to a view (the path decoded as Django decodes it)."""
    path = repercent_broken_unicode(unquote_to_bytes(url)).decode()
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def first_action(response) -> str | None:
    """The first action a changelist offers (its action form), if any."""
    match = re.search(
        r'<select name="action"[^>]*>.*?<option value="([^"]+)"',
        response.content.decode(errors="replace"),
        flags=re.S,
    )
    return match.group(1) if match else None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rows(world):  # noqa: F811
    """The role matrix's world, with the rows of every admin model and public page of the matrix.

    The matrix builds a row for every admin model (tests/roles/test_matrix_coverage.py makes
    sure) and the rows each public page is about; their addresses give the walk real path
    values (a feed token, a signed link, a published month) under each page's view name.
    """
    admin_specs, page_specs = collect()
    page_kwargs: dict[str, dict[str, str]] = {}
    for spec in [*admin_specs, *page_specs]:
        try:
            with transaction.atomic():
                made = spec.rows(world)
        except (IntegrityError, ValidationError):
            # Each matrix test has a world of its own; here an earlier spec's rows may already
            # hold what this one makes (one exchange meeting a quarter, ...): it has rows then.
            continue
        if isinstance(spec, PageSpec):
            for row in made.values():
                match = resolve(urlsplit(spec.url(row)).path)
                page_kwargs.setdefault(
                    match.view_name, {key: str(value) for key, value in match.kwargs.items()}
                )
    return {**world, "page_kwargs": page_kwargs}


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_hostile_request_gives_a_server_error(persona, section, rows):
    walk = Walk(persona, rows["users"].get(persona))
    for route in SECTIONS[section]:
        walk.route(route, rows)
    assert not walk.failures, (
        f"{len(walk.failures)} of {walk.sent} hostile requests gave a server error:\n"
        + "\n".join(walk.failures)
    )


def test_the_walk_takes_every_route_from_the_url_conf():
    walked = [route for routes in SECTIONS.values() for route in routes]
    assert sorted(walked, key=str) == sorted(ROUTES, key=str)
    templates = {route.template for route in ROUTES}
    assert len(templates) > 300  # the admin's pages for every model are there too
    assert {
        "/",
        "/admin/",
        "/admin/members/member/%(object_id)s/change/",
        "/accounts/login/",
        "/ranking/%(year)s/%(month)s/",
        "/rota/feed/%(token)s.ics",
        "/points/vouchers/%(code)s/",
    } <= templates
