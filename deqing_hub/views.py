"""Health, the error pages and the public lists behind the home figures (the dashboard and
ranking are in ranking_views)."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve as static_serve

from deqing_hub import covenant as covenant_view
from deqing_hub import health
from deqing_hub.figure_lists import LISTS
from members import page_cache
from members.audit import AuditEvent, record_event
from rota import queries as rota_queries

FIGURE_ROWS_PER_PAGE = 20
COVENANT_ROWS_PER_PAGE = 50


@require_GET
@page_cache.anonymous_page()
def figure_list(request: HttpRequest, key: str) -> HttpResponse:
    """The records a home figure counts, a page at a time, filtered by `?kind=` of its parts.

    A kind that does not exist shows every kind with a notice (never an error); a page number
    out of range shows the nearest page.
    """
    spec = LISTS.get(key)
    if spec is None:
        raise Http404
    parts = spec.breakdown() if spec.breakdown else []
    kind = request.GET.get("kind") or None
    unknown_kind = kind is not None and kind not in {part.kind for part in parts}
    if unknown_kind:
        kind = None
    page = Paginator(spec.rows(kind), FIGURE_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "figures/list.html",
        {
            "key": key,
            "spec": spec,
            "page_title": spec.title,
            "parts": parts,
            "total": sum(part.count for part in parts) if parts else page.paginator.count,
            "kind": kind,
            "unknown_kind": unknown_kind,
            "page_obj": page,
            # For the shared pagination links (wishes/includes/pagination.html).
            "is_paginated": page.has_other_pages(),
            "query_string": urlencode({"kind": kind}) if kind else "",
            "rows": [spec.row(record) for record in page],
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, parts = health.report()
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **parts}, status=200 if healthy else 503
    )


@require_GET
@page_cache.anonymous_page(numbers=(rota_queries.ATTENDANCE_STAMP_KEY,))
def covenant(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Who kept the covenant in `year` (this year by default): quarters, months and the year."""
    today = timezone.localdate()
    year = today.year if year is None else year
    if not covenant_view.first_year() <= year <= today.year:
        raise Http404
    context = covenant_view.year_view(year, today=today)
    # 50 organisations a page: at county scale all 500 made a 913 KB page.
    page = Paginator(context["organisations"], COVENANT_ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context.update(
        page_title=_("The Red Covenant %(year)s") % {"year": year},
        page_obj=page,
        paginator=page.paginator,
        is_paginated=page.has_other_pages(),
    )
    return render(request, "covenant/year.html", context)


@require_GET
def bench_bare(request: HttpRequest) -> HttpResponse:
    """`make bench`'s reference: a plain response behind every middleware, no query, no template.

    Routed only with DJANGO_BENCH=true; each page is measured as a ratio to this view in the
    same run, so the figures do not depend on how fast (or how busy) the machine is.
    """
    return HttpResponse(b"ok", content_type="text/plain")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """A request no page can answer: NUL characters, a malformed form, a forged field."""
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """Refused requests are security events: record who tried what, from where."""
    record_event(
        AuditEvent.Kind.PERMISSION_DENIED,
        request=request,
        success=False,
        details={"path": request.path[:200], "method": request.method},
    )
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded photos in local development (nginx serves /media/ in production).

    Django's `serve` lets the file system's own refusals through as a server error: a name
    longer than the file system allows is an OSError, not a missing file. Any such refusal is
    a 404, as nginx answers.
    """
    try:
        return static_serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as exc:
        raise Http404 from exc
