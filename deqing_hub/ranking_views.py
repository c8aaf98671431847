"""The public ranking pages: month, year and the breakdown behind every score.

Each ranking page is also JSON (`?format=json`, for the lobby screen) and xlsx
(`?format=xlsx`). The ranking part of a page is rendered once per version of the data and
language and cached (a published month's, for anonymous visitors, kept drawn by the worker:
`_published_month_page`); the page around it (header, login state) is rendered per request.
Bad input - a month in the future or before the centre opened, month 13, a year without a
published month, an unknown format - gets a 404 page that says what was wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.signals import setting_changed
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from deqing_hub import dashboard, ranking, ranking_exports, ranking_tables
from deqing_hub.models import ScoreFormula
from members import page_cache, periods
from members import queries as members_queries
from members.masking import mask_name
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries
from services.projects import queries as projects_queries
from wishes import queries as wishes_queries

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FORMATS = ("html", "json", "xlsx")
# Rows of the volunteer table in JSON and on the month page with `?all=1`; the xlsx lists
# everyone. The month page shows `ranking.SUMMARY_ROWS` of each table by default.
VOLUNTEERS_SHOWN = 50
# Rows of the year page's table unless `?all=1` (JSON and xlsx list all): at county scale
# 500 organisations made a 432 KB page.
TABLE_ROWS_SHOWN = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BadRankingRequest(Http404):
    """A 404 whose message tells the user what was wrong."""


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "ranking/not_found.html", {"message": message}, status=404)


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "html") or "html"
    if fmt not in FORMATS:
        raise BadRankingRequest(
            _("Unknown format “%(format)s”: use html, json or xlsx.") % {"format": fmt[:20]}
        )
    return fmt


def _payload(
    first: dt.date, *, volunteers: int | None = None, organisations: int | None = None
) -> ranking.MonthRanking:
    data = ranking.month_payload(first, volunteers=volunteers, organisations=organisations)
    if data is None:
        raise _unpublished(first)
    return data


def _unpublished(first: dt.date) -> BadRankingRequest:
    return BadRankingRequest(
        _("The ranking of %(month)s was not published.") % {"month": f"{first:%Y-%m}"}
    )


def _month(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise BadRankingRequest(_("There is no month %(month)s.") % {"month": month})
    try:
        first = dt.date(year, month, 1)
    except ValueError:
        raise BadRankingRequest(_("There is no such month.")) from None
    if first > periods.current_month():
        raise BadRankingRequest(_("That month has not begun yet."))
    if first < ranking.FIRST_MONTH:
        raise BadRankingRequest(
            _("The ranking starts in %(month)s, when the centre opened.")
            % {"month": f"{ranking.FIRST_MONTH:%Y-%m}"}
        )
    return first


def _cached(key: str, build):
    # One worker rebuilds an expired page while the others serve it (ranking.cached).
    return ranking.cached(key, build)


# Anonymous visitors get the whole page stored (members.page_cache), also under the ranking's
# version and attendance stamp: a refresh or a recorded meeting moves them without a save. Read
# with the pages' own version in one round trip (a cold page: 7 round trips to Redis -> 4).
_public_page = page_cache.anonymous_page(numbers=ranking.PAGE_NUMBERS)


def _handles_bad_input(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRankingRequest as exc:
            return _bad(request, str(exc))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- home dashboard ---------------------------------------------------------------------------


@require_GET
@_public_page
def home(request: HttpRequest) -> HttpResponse:
    """The four doors (the first is the member's own page once logged in), the town's figures
    counted from records, and the covenant panel (cached HTML: `dashboard.rendered`)."""
    return render(request, "home.html", {"dashboard": dashboard.rendered()})


# --- month ------------------------------------------------------------------------------------


def _label(labels: dict[str, StrOrPromise], value: str) -> StrOrPromise:
    # A kind no longer offered (still in an old snapshot) shows as stored.
    return labels.get(value, value)


def _month_frame(first: dt.date, formula: dict) -> dict:
    """What every output of a month says around its tables: the month, its neighbours, the
    formula and its weights, the tie rules."""
    previous = periods.previous_month(first)
    following = periods.next_month(first)
    return {
        "month": first,
        "month_label": f"{first:%Y-%m}",
        "is_current": first == periods.current_month(),
        "formula": formula,
        "weights": [
            {
                "key": key,
                "label": ranking.COMPONENT_LABELS[key],
                "weight": formula["weights"][key],
            }
            for key in (*ScoreFormula.MONTHLY_COMPONENTS, "meeting")
        ],
        "tie_rules": ranking.TIE_RULES,
        "previous_month": previous if previous >= ranking.FIRST_MONTH else None,
        "next_month": following if following <= periods.current_month() else None,
        "components": [
            (key, ranking.COMPONENT_LABELS[key]) for key in ScoreFormula.MONTHLY_COMPONENTS
        ],
    }


def _month_context(first: dt.date, *, volunteers_shown: int | None = VOLUNTEERS_SHOWN) -> dict:
    """The month for JSON and xlsx: every organisation and branch, from the payload."""
    data = _payload(first, volunteers=volunteers_shown)
    payload = data.payload
    return {
        **_month_frame(first, payload["formula"]),
        "data": data,
        "volunteers": ranking.present_volunteers(payload, limit=volunteers_shown),
        "branches": payload["branches"],
        "organisations": payload["organisations"],
    }


def _month_json(ctx: dict) -> dict:
    data = ctx["data"]
    return {
        "month": ctx["month_label"],
        "status": "published" if data.is_published else "provisional",
        "published_at": data.snapshot["published_at"].isoformat() if data.is_published else None,
        "content_hash": data.snapshot["content_hash"] if data.is_published else None,
        "formula": {
            "effective_from": ctx["formula"]["effective_from"],
            "weights": ctx["formula"]["weights"],
        },
        "tie_rules": {key: str(text) for key, text in ranking.TIE_RULES.items()},
        "volunteers": {
            "total": ctx["volunteers"]["total"],
            "named": ctx["volunteers"]["named"],
            "unnamed": ctx["volunteers"]["unnamed"],
            "points": ctx["volunteers"]["points"],
            "top": [
                {
                    "rank": row["rank"],
                    "name": row["name"],
                    "branch": row["branch"],
                    "points": row["points"],
                    "entries": row["entries"],
                }
                for row in ctx["volunteers"]["rows"]
            ],
        },
        "branches": [
            {k: b[k] for k in ("rank", "name", "kind", "members", "points", "per_member")}
            for b in ctx["branches"]
        ],
        "organisations": [
            {
                "rank": o["rank"],
                "name": o["name"],
                "kind": o["kind"],
                "score": o["score"],
                "components": {
                    key: {"count": c["count"], "points": c["points"]}
                    for key, c in o["components"].items()
                },
            }
            for o in ctx["organisations"]
        ],
    }


# A published month's page part as drawn for each summary (its MD5), snapshot and language,
# but for the volunteers' table: kept in this worker's memory, since it never changes. What it
# is drawn from is frozen in the row (the organisations' and branches' names and kinds as
# closed, the counts, the trend: a rewritten summary has another MD5) or belongs to the release
# (labels, templates, URLs). The volunteers' names follow their consent, so they are read for
# every page and their table put into the slot (drawn from the summary's volunteer rows, kept
# with it, again whenever the names read differ from the last: `_kept_volunteers`).
# Measured: a page cold in Redis (the bench empties it every 10 ms) spent most of its Python
# drawing the three tables and `_month.html` again (CPU 21 -> 8-10 ms, docs/performance.md).
_DRAWN: dict[tuple[str, ...], _KeptMonth] = {}
_DRAWN_MAX = 48  # two languages x two years of months, more than anyone asks for
_VOLUNTEERS_SLOT = "\x00volunteers\x00"


@dataclass
class _KeptMonth:
    drawn: str  # the ranking part, with `_VOLUNTEERS_SLOT` for the volunteers' table
    volunteers: list[dict]  # the summary's volunteer rows
    # The names last read for them and the table drawn from those (one tuple, replaced whole).
    table: tuple[dict[int, str] | None, str] = (None, "")


def _published_month_parts(first: dt.date, stamp: ranking.PublishedStamp) -> _KeptMonth | None:
    """The kept part of a published month whose snapshot is `stamp` (drawn here on a worker's
    first page of it: a query more); None if it was closed again or its summary rewritten
    since the stamp was read."""
    key = (f"{first:%Y-%m}", *stamp, get_language())
    found = _DRAWN.get(key)
    if found is None:
        data = ranking.published_summary(first)
        if data is None or data.fingerprint != stamp.fingerprint:
            return None
        drawn = _month_page(first, every_row=False, found=data, volunteers=_VOLUNTEERS_SLOT)
        found = _KeptMonth(drawn, data.payload["volunteers"])
        if len(_DRAWN) >= _DRAWN_MAX:
            _DRAWN.clear()
        _DRAWN[key] = found
    return found


def _kept_volunteers(first: dt.date, kept: _KeptMonth) -> str:
    """The volunteers' table of a kept month (`_published_month_parts`) with the names as they
    are now (one query). The table follows from the kept rows and the names alone, so it is
    drawn again only when the names read differ from the last drawn (a consent withdrawn, a
    name corrected)."""
    names = ranking.consenting_names([row["member_id"] for row in kept.volunteers])
    last_names, last_table = kept.table
    if names == last_names:
        return last_table
    rows = ranking.present_rows(kept.volunteers, names=names)
    table = ranking_tables.volunteers(first, rows)["html"]
    kept.table = (names, table)
    return table


def _published_month_page(first: dt.date, stamp: ranking.PublishedStamp) -> str:
    """`_month_page` of a published month whose snapshot is `stamp`: drawn from its stored
    summary once per worker and language (a query more, then), and later in one query (the
    volunteers' names) and without drawing the frozen part again."""
    kept = _published_month_parts(first, stamp)
    if kept is None:
        # Closed again or its summary rewritten since the stamp was read: draw this once.
        return _month_page(first, every_row=False)
    return kept.drawn.replace(_VOLUNTEERS_SLOT, _kept_volunteers(first, kept), 1)


# The whole page of a published month as a plain anonymous visitor gets it (no login, no
# message waiting), kept by the worker per path, language, snapshot and running month with two
# marks: the visitor's CSRF token (the header's language switcher) and the volunteers' table.
# Measured: with the month's ranking part kept (`_DRAWN`), drawing `month.html` and `base.html`
# around it was the largest part of a cold page's CPU left (docs/performance.md, "The cold
# ranking's outer page"). The outer template shows an anonymous visitor nothing else that
# varies: no own rank, no staff link, no messages (`page_cache.plain_visitor`), the header drawn
# once per language already (`chrome.anonymous_header`, its path is this key's).
_WHOLE: dict[tuple[object, ...], str] = {}
_WHOLE_MAX = 48
_TOKEN_MARK = "\x00token\x00"  # noqa: S105 - a mark, not a secret


def _plain_published_page(
    request: HttpRequest, first: dt.date, stamp: ranking.PublishedStamp, running: dt.date
) -> HttpResponse | None:
    """The month page of a published month for a plain anonymous visitor: the kept page with
    the token and the volunteers' table filled in; None if the month's part cannot be kept."""
    kept = _published_month_parts(first, stamp)
    if kept is None:
        return None
    key = (
        request.get_full_path(),
        *stamp,
        get_language(),
        running,
        get_script_prefix(),
        get_urlconf(),
    )
    page = _WHOLE.get(key)
    if page is None:
        page = render_to_string(
            "ranking/month.html",
            {
                "body": mark_safe(kept.drawn),  # noqa: S308 - rendered by our own template, user text escaped there
                "month": first,
                "is_current": False,
                "running_month": running,
                "own": None,
                # Every `{% csrf_token %}` and the header's switcher draw the mark.
                "csrf_token": _TOKEN_MARK,
            },
            request,
        )
        # Kept for the bare path only: every `?utm_source=` a link carries would be a page of
        # its own, and a few dozen of them would empty the store for everyone. In development
        # a changed template shows at once.
        if not settings.DEBUG and not request.META.get("QUERY_STRING"):
            if len(_WHOLE) >= _WHOLE_MAX:
                _WHOLE.clear()
            _WHOLE[key] = page
    if _TOKEN_MARK in page:
        # As the template's `csrf_token` would: the visitor's token, and its cookie set.
        page = page.replace(_TOKEN_MARK, conditional_escape(get_token(request)))
    return HttpResponse(page.replace(_VOLUNTEERS_SLOT, _kept_volunteers(first, kept), 1))


def _forget_whole_pages(**kwargs) -> None:
    # Tests change languages, URL configurations and templates' settings.
    _WHOLE.clear()


setting_changed.connect(_forget_whole_pages, dispatch_uid="ranking_whole_pages")


def _month_page(
    first: dt.date,
    *,
    every_row: bool,
    found: ranking.MonthRanking | None = None,
    unpublished: bool = False,
    volunteers: str | None = None,
) -> str:
    """The month page's ranking part from the month's summary (`ranking.month_summary`, or
    `found` when already read): for a published month one small stored column, so a cold page
    costs two small queries (the summary, the volunteers' names). `?all=1` summarises the
    whole payload instead. `unpublished`: the month is known not to be closed (its snapshot
    was just looked for). With `volunteers`, that text stands for the volunteers' table (no
    names read)."""
    if found is not None:
        data = found
    elif every_row:
        whole = _payload(first, volunteers=VOLUNTEERS_SHOWN)
        trend = ranking.organisation_trend(first)
        summary = ranking.summarise(whole.payload, trend, rows=None, volunteers=VOLUNTEERS_SHOWN)
        data = ranking.MonthRanking(first, summary, whole.snapshot)
    else:
        found = (ranking.provisional_summary if unpublished else ranking.month_summary)(first)
        if found is None:
            raise _unpublished(first)
        data = found
    summary = data.payload
    branch_kinds = members_queries.branch_kind_labels()
    organisation_kinds = rota_queries.organisation_kind_labels()
    ctx = _month_frame(first, summary["formula"])
    organisations = [
        {**o, "kind_label": _label(organisation_kinds, o["kind"])} for o in summary["organisations"]
    ]
    branches = [{**b, "kind_label": _label(branch_kinds, b["kind"])} for b in summary["branches"]]
    if volunteers is None:
        volunteers_table = ranking_tables.volunteers(
            first, ranking.present_rows(summary["volunteers"])
        )["html"]
    else:
        volunteers_table = mark_safe(volunteers)  # noqa: S308 - our own slot, replaced by a drawn table
    return render_to_string(
        "ranking/_month.html",
        {
            **ctx,
            "data": data,
            "volunteers": {
                "total": summary["totals"]["volunteers"],
                "points": summary["totals"]["points"],
                "shown": len(summary["volunteers"]),
            },
            "hidden": {
                "organisations": summary["organisation_count"] - len(organisations),
                "branches": summary["branch_count"] - len(branches),
            },
            "trend": summary["trend"],
            "tables": {
                "organisations": ranking_tables.organisations(
                    first, organisations, ctx["components"]
                ),
                "branches": ranking_tables.branches(first, branches),
                "volunteers": {"html": volunteers_table},
                "weights": ranking_tables.weights(ctx["weights"]),
            },
        },
    )


def _own_rank(request: HttpRequest, first: dt.date) -> dict | None:
    """The logged-in member's own place in the month (None for anyone without a member record)."""
    if not request.user.is_authenticated:
        return None  # not even an empty queryset to build (a cold anonymous page)
    member = members_queries.own_member(request.user)
    if member is None:
        return None
    place = ranking.own_place_in(first, member.id)
    if place is None:
        return {"rank": None}
    shown = member.named and place["rank"] <= ranking.SUMMARY_ROWS
    return {
        **place,
        "named": member.named,
        "anchor": ranking_tables.volunteer_anchor(member.id) if shown else None,
    }


def _month_key(first: dt.date, fmt: str, *, running: dt.date, every_row: bool) -> str:
    # The running month's page says so; once the month is over its cached page must not.
    return ranking.cache_key(
        "month",
        f"{first:%Y-%m}",
        get_language(),
        fmt,
        "running" if first == running else "",
        "all" if every_row and fmt == "html" else "",
    )


def _month_response(request: HttpRequest, first: dt.date) -> HttpResponse:
    fmt = _format(request)
    running = periods.current_month()
    every_row = request.GET.get("all") == "1"
    if fmt == "html":
        return _month_html(request, first, running=running, every_row=every_row)
    key = _month_key(first, fmt, running=running, every_row=every_row)
    if fmt == "json":
        body = _cached(
            key, lambda: json.dumps(_month_json(_month_context(first)), ensure_ascii=False)
        )
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    if fmt == "xlsx":
        content = _cached(
            key,
            lambda: ranking_exports.month_workbook(_month_context(first, volunteers_shown=None)),
        )
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="ranking-{first:%Y-%m}.xlsx"'
        return response
    raise AssertionError(fmt)  # _format accepts html, json and xlsx only


def _month_html(
    request: HttpRequest, first: dt.date, *, running: dt.date, every_row: bool
) -> HttpResponse:
    stamp = None
    checked = not request.user.is_authenticated and not every_row and first < running
    if checked:
        # An anonymous visitor's page is stored whole by the page cache (`_public_page`);
        # storing its ranking part here too cost a cold page 6 of its 17 Redis round trips
        # (the key's two numbers, the lock, the store). A published month's part is drawn
        # once per worker (`_published_month_page`), so it is not stored twice. A month that
        # still awaits closing, the running month, `?all=1` and logged-in members keep the
        # ranking's cache.
        stamp = ranking.published_stamp(first)
    if stamp is not None and page_cache.plain_visitor(request):
        whole = _plain_published_page(request, first, stamp, running)
        if whole is not None:
            return whole
    if stamp is not None:
        body = _published_month_page(first, stamp)
    else:
        key = _month_key(first, "html", running=running, every_row=every_row)
        body = _cached(key, lambda: _month_page(first, every_row=every_row, unpublished=checked))
    return render(
        request,
        "ranking/month.html",
        {
            "body": mark_safe(body),  # noqa: S308 - rendered by our own template, user text escaped there
            "month": first,
            "is_current": first == running,
            "running_month": running,
            "own": _own_rank(request, first),
        },
    )


@require_GET
@_public_page
@_handles_bad_input
def last_closed_month(request: HttpRequest) -> HttpResponse:
    """The ranking of the month that ended last (in December: November), not the running one.

    A month that has just ended may still await closing on the 1st; it then shows as
    provisional. The running month is one link away, marked in progress.
    """
    return _month_response(request, periods.previous_month(periods.current_month()))


@require_GET
@_public_page
@_handles_bad_input
def month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    return _month_response(request, _month(year, month))


# --- year -------------------------------------------------------------------------------------


def _year_json(data: dict) -> dict:
    return {
        "year": data["year"],
        "status": "final" if data["complete"] else "partial",
        "months": data["months"],
        "content_hashes": data["hashes"],
        "organisations": [
            {
                "rank": o["rank"],
                "name": o["name"],
                "kind": o["kind"],
                "score": o["score"],
                "months_score": o["months_score"],
                "meetings": {"count": o["meetings"]["count"], "points": o["meetings"]["points"]},
                "monthly": o["monthly"],
            }
            for o in data["organisations"]
        ],
    }


@require_GET
@_public_page
@_handles_bad_input
def year(request: HttpRequest, year: int) -> HttpResponse:
    """The yearly alliance ranking (一年一排名) from the year's published months."""
    fmt = _format(request)
    if year > timezone.localdate().year or year < ranking.FIRST_MONTH.year:
        raise BadRankingRequest(_("There is no ranking for %(year)s.") % {"year": year})
    key = ranking.cache_key("year-page", year, get_language(), fmt)
    if fmt == "html":
        return _year_page(request, year, key)
    data = _year_data(year)
    if fmt == "json":
        body = _cached(key, lambda: json.dumps(_year_json(data), ensure_ascii=False))
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    if fmt == "xlsx":
        content = _cached(key, lambda: ranking_exports.year_workbook(data))
        response = HttpResponse(content, content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="ranking-{year}.xlsx"'
        return response
    raise AssertionError(fmt)  # _format accepts html, json and xlsx only


def _year_data(year: int) -> dict:
    data = ranking.year_ranking(year)
    if data is None:
        raise BadRankingRequest(_("No month of %(year)s has been published yet.") % {"year": year})
    return data


def _year_page(request: HttpRequest, year: int, key: str) -> HttpResponse:
    """The year's ranking rendered once per data version, language and running month (the
    month strip marks it) and cached as HTML: 500 organisations x 12 months were rendered
    again on every request. The project contest comes from the projects' own records, which
    do not move the ranking's version, so it is rendered per request."""
    running = f"{periods.current_month():%Y-%m}"
    rows = None if request.GET.get("all") == "1" else TABLE_ROWS_SHOWN
    body = _cached(
        f"{key}:{running}:{rows or 'all'}", lambda: _year_body(year, _year_data(year), rows=rows)
    )
    return render(
        request,
        "ranking/year.html",
        {
            "body": mark_safe(body),  # noqa: S308 - rendered by our own template, user text escaped there
            "year": year,
            "contest": ranking_tables.projects(projects_queries.project_contest(year)),
            "contest_rule": projects_queries.contest_rule(),
        },
    )


def _year_body(year: int, data: dict, *, rows: int | None = TABLE_ROWS_SHOWN) -> str:
    top = [o["id"] for o in data["organisations"][:5]]
    trend = {
        "months": data["months"],
        "series": [
            {
                "name": o["name"],
                "data": [
                    float(o["monthly"][m]) if m in o["monthly"] else None for m in data["months"]
                ],
            }
            for o in data["organisations"]
            if o["id"] in top
        ],
    }
    return render_to_string(
        "ranking/_year.html",
        {
            "data": data,
            "year": year,
            "trend": trend,
            "tie_rule": ranking.TIE_RULES["year"],
            "months": _year_months(year, data["months"]),
            # The first `rows` organisations (?all=1: every one): 500 made a 432 KB page.
            "table": ranking_tables.year(year, data["organisations"][:rows]),
            "hidden": len(data["organisations"][rows:]) if rows else 0,
        },
    )


def _year_months(year: int, published: list[str]) -> list[dict]:
    """The twelve months of a year at a glance: published, in progress, awaiting closing, none.

    A month links to its page only where that page exists (published, or still open).
    """
    running = periods.current_month()
    months = []
    for number in range(1, 13):
        first = dt.date(year, number, 1)
        if f"{first:%Y-%m}" in published:
            state = "published"
        elif first == running:
            state = "running"
        elif first == periods.previous_month(running):
            state = "provisional"
        else:
            state = "future" if first > running else "unpublished"
        linked = state in ("published", "running", "provisional") and first >= ranking.FIRST_MONTH
        months.append(
            {
                "month": first,
                "state": state,
                "url": reverse("ranking_month", args=[year, number]) if linked else None,
            }
        )
    return months


# --- breakdowns -------------------------------------------------------------------------------


def _breakdown_format(request: HttpRequest) -> None:
    if _format(request) != "html":
        raise BadRankingRequest(_("Breakdowns are available as web pages only."))


def _month_row(
    request: HttpRequest, year: int, month: int, table: str, key: str, pk: int
) -> tuple[dt.date, ranking.MonthRanking, dict]:
    """The month, its ranking and the row of `table` whose `key` is `pk`; 404 if absent."""
    _breakdown_format(request)
    first = _month(year, month)
    data = _payload(first)
    row = next((r for r in data.payload[table] if r[key] == pk), None)
    if row is None:
        raise Http404
    return first, data, row


@require_GET
@_handles_bad_input
def organisation_breakdown(request: HttpRequest, year: int, month: int, pk: int) -> HttpResponse:
    """The records behind an organisation's monthly score (exactly those a snapshot counted)."""
    first, data, row = _month_row(request, year, month, "organisations", "id", pk)
    ids = {key: c["ids"] for key, c in row["components"].items()}
    weeks = rota_queries.duty_weeks_with_ids([*ids["duty_week"], *ids["duty_report"]])
    ratings = [pk for pk, _stars in ids["rating_star"]]
    sections = [
        ("duty_week", [weeks[i] for i in ids["duty_week"] if i in weeks]),
        ("duty_report", [weeks[i] for i in ids["duty_report"] if i in weeks]),
        ("service_record", services_queries.service_records_with_ids(ids["service_record"])),
        ("wish_fulfilled", wishes_queries.wishes_with_ids(ids["wish_fulfilled"])),
        ("wish_confirmed", wishes_queries.wishes_with_ids(ids["wish_confirmed"])),
        ("activity", services_queries.activities_with_ids(ids["activity"])),
        ("rating_star", services_queries.rated_requests_with_ids(ratings)),
    ]
    return render(
        request,
        "ranking/organisation_breakdown.html",
        {
            "month": first,
            "data": data,
            "row": row,
            "sections": [
                {
                    "key": key,
                    "label": ranking.COMPONENT_LABELS[key],
                    "records": records,
                    "component": row["components"][key],
                    "weight": data.payload["formula"]["weights"][key],
                }
                for key, records in sections
            ],
        },
    )


@require_GET
@_handles_bad_input
def volunteer_breakdown(request: HttpRequest, year: int, month: int, pk: int) -> HttpResponse:
    """The ledger entries behind a named volunteer's monthly points (404 without consent)."""
    first, data, row = _month_row(request, year, month, "volunteers", "member_id", pk)
    name = members_queries.consenting_name(pk)
    if name is None:
        raise Http404
    entries = points_queries.earned_entries(
        pk,
        *periods.month_bounds(first.year, first.month),
        up_to_entry_id=data.payload.get("last_entry_id"),
    )
    return render(
        request,
        "ranking/volunteer_breakdown.html",
        {
            "month": first,
            "data": data,
            "row": row,
            "name": mask_name(name),
            "table": ranking_tables.ledger(mask_name(name), entries),
        },
    )


@require_GET
@_handles_bad_input
def branch_breakdown(request: HttpRequest, year: int, month: int, pk: int) -> HttpResponse:
    """The branch's volunteers behind its total: named with consent, otherwise only counted."""
    first, data, row = _month_row(request, year, month, "branches", "id", pk)
    volunteers = [v for v in data.payload["volunteers"] if v["branch_id"] == pk]
    names = ranking.consenting_names([v["member_id"] for v in volunteers])
    rows = [
        {**v, "name": names.get(v["member_id"]), "named": v["member_id"] in names}
        for v in volunteers
    ]
    return render(
        request,
        "ranking/branch_breakdown.html",
        {
            "month": first,
            "data": data,
            "row": row,
            "table": ranking_tables.branch_volunteers(first, row["name"], rows),
        },
    )


@require_GET
@_handles_bad_input
def year_organisation_breakdown(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """An organisation's yearly score: each published month's score and the meetings attended."""
    _breakdown_format(request)
    data = ranking.year_ranking(year) if ranking.FIRST_MONTH.year <= year else None
    row = next((o for o in data["organisations"] if o["id"] == pk), None) if data else None
    if data is None or row is None:
        raise Http404
    months = [
        {
            "label": label,
            "score": row["monthly"].get(label),
            "url": reverse("ranking_organisation", args=[int(label[:4]), int(label[5:]), pk]),
        }
        for label in data["months"]
    ]
    meetings = rota_queries.exchange_meetings_with_ids(row["meetings"]["ids"])
    return render(
        request,
        "ranking/year_organisation_breakdown.html",
        {"year": year, "data": data, "row": row, "months": months, "meetings": meetings},
    )
