"""Health and the error pages (the dashboard and ranking are in ranking_views)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deqing_hub import health
from members.audit import AuditEvent, record_event


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, parts = health.report()
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **parts}, status=200 if healthy else 503
    )


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
