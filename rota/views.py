"""Rota pages: the public covenant calendar and feeds, and the contacts' own pages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import page_cache
from members.audit import get_in_scope_or_404
from members.http import AuthenticatedRequest
from rota import actions, feeds, reminders
from rota.forms import DutyReportForm, SwapRequestForm
from rota.models import DutyWeek, ExchangeMeeting, MonthlyTheme, Organisation, SwapRequest


@require_GET
@page_cache.anonymous_page()
def calendar(request: HttpRequest) -> HttpResponse:
    """The covenant calendar of one year: duty weeks, monthly themes, exchange meetings.

    It opens at this week's row (rota.js scrolls to it) and says how to subscribe a phone.
    """
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2016 <= year <= today.year + 5:
        year = today.year
    # Every week with a day in the year: the week from Monday 27 December to Sunday 2 January
    # is on both calendars, so "on duty this week" does not vanish on New Year's Day.
    weeks = list(
        DutyWeek.objects.select_related("organisation").filter(
            week_start__gte=dt.date(year, 1, 1) - dt.timedelta(days=6),
            week_start__lte=dt.date(year, 12, 31),
        )
    )
    themes = list(MonthlyTheme.objects.filter(month__year=year))
    meetings = list(ExchangeMeeting.objects.select_related("host").filter(year=year))
    monday = today - dt.timedelta(days=today.weekday())
    # This week and this month come from the lists above: no extra queries.
    this_week = next((w for w in weeks if w.week_start == monday), None)
    this_theme = next((t for t in themes if t.month == today.replace(day=1)), None)
    feed_url = request.build_absolute_uri(reverse("rota:feed"))
    return render(
        request,
        "rota/calendar.html",
        {
            "feed_url": feed_url,
            # iPhones and Outlook open a webcal:// link as "subscribe", not as a one-off import.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "this_week_anchor": feeds.week_anchor(this_week) if this_week else None,
            "year": year,
            "years": range(max(2016, year - 2), min(today.year + 5, year + 2) + 1),
            "weeks": weeks,
            "themes": themes,
            "meetings": meetings,
            "this_monday": monday,
            "this_week": this_week,
            "this_theme": this_theme,
        },
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    return _ics(feeds.alliance_calendar(), "rota.ics")


@require_GET
def organisation_feed(request: HttpRequest, token: str) -> HttpResponse:
    """An organisation's own calendar behind a secret URL; wrong or revoked tokens are 404."""
    organisation = get_object_or_404(Organisation, feed_token=token)
    return _ics(feeds.organisation_calendar(organisation), "rota-organisation.ics")


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a reminder: GET shows the week, POST acknowledges it.

    No login needed (contacts open it from an SMS on the phone); the signed token names the
    week and the organisation, so a link stops working when the week changes hands.
    """
    try:
        payload = reminders.read_acknowledge_token(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    week = get_object_or_404(
        DutyWeek.objects.select_related("organisation"),
        pk=payload.get("w"),
        organisation_id=payload.get("o"),
    )
    if request.method == "POST":
        try:
            actions.acknowledge_duty(duty_week=week, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you: the duty week is acknowledged."))
        return redirect("rota:acknowledge", token=token)
    return render(request, "rota/acknowledge.html", {"week": week})


@login_required
@require_GET
def my_rota(request: AuthenticatedRequest) -> HttpResponse:
    """A contact's page: their organisations' weeks, swap requests and reports due."""
    today = timezone.localdate()
    organisations = list(Organisation.objects.for_contact(request.user))
    weeks = list(
        DutyWeek.objects.for_contact(request.user)
        .select_related("organisation", "report")
        .order_by("-week_start")[:30]
    )
    org_ids = [o.pk for o in organisations]
    swaps = list(
        SwapRequest.objects.for_contact(request.user).select_related(
            "from_week", "to_week", "from_organisation", "to_organisation"
        )[:20]
    )
    for week in weeks:
        week.report_missing = (
            week.week_end < today
            and week.status in (DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED)
            and not hasattr(week, "report")
        )
        week.can_report = (
            week.week_start <= today
            and week.status
            in (
                DutyWeek.Status.PLANNED,
                DutyWeek.Status.CONFIRMED,
            )
            and not hasattr(week, "report")
        )
        week.can_swap = week.week_start > today and week.status in (
            DutyWeek.Status.PLANNED,
            DutyWeek.Status.CONFIRMED,
        )
    for swap in swaps:
        swap.incoming = swap.to_organisation_id in org_ids
    return render(
        request,
        "rota/my_rota.html",
        {
            "page_title": _("My duty weeks"),
            "organisations": organisations,
            "weeks": weeks,
            "swaps": swaps,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def swap_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    week = get_in_scope_or_404(
        DutyWeek.objects.for_contact(request.user).select_related("organisation"),
        request=request,
        pk=pk,
    )
    form = SwapRequestForm(request.POST or None, week=week, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_swap(
                from_week=week,
                to_week=form.cleaned_data["to_week"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Swap requested; the other organisation has been asked."))
            return redirect("rota:my_rota")
    return render(
        request,
        "rota/swap_form.html",
        {"page_title": _("Ask to swap"), "week": week, "form": form},
    )


def _swap_for(request: HttpRequest, pk: int) -> SwapRequest:
    return get_in_scope_or_404(
        SwapRequest.objects.for_contact(request.user), request=request, pk=pk
    )


def _swap_step(action):
    @login_required
    @require_POST
    def view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
        swap = _swap_for(request, pk)
        try:
            action(swap=swap, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The swap request is now: %(status)s.") % {"status": swap.get_status_display()},
            )
        return redirect("rota:my_rota")

    return view


swap_accept = _swap_step(actions.accept_swap)
swap_decline = _swap_step(actions.decline_swap)
swap_cancel = _swap_step(actions.cancel_swap)


@login_required
@require_POST
def feed_rotate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A contact issues a new secret calendar URL for their organisation (the old one stops)."""
    organisation = get_in_scope_or_404(
        Organisation.objects.for_contact(request.user), request=request, pk=pk
    )
    actions.rotate_feed_token(organisation=organisation)
    messages.success(request, _("New calendar URLs issued."))
    return redirect("rota:my_rota")


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A contact files their organisation's report; centre staff may file any week's report
    on the organisation's behalf (one handed in on paper), and go back to the admin."""
    on_behalf = request.user.has_perm("rota.manage_rota")
    weeks = DutyWeek.objects.all() if on_behalf else DutyWeek.objects.for_contact(request.user)
    week = get_in_scope_or_404(weeks.select_related("organisation"), request=request, pk=pk)
    on_behalf = on_behalf and not week.organisation.has_contact(request.user)
    form = DutyReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.file_duty_report(duty_week=week, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if on_behalf:
                messages.success(
                    request,
                    _("The duty report of %(organisation)s is filed on its behalf.")
                    % {"organisation": week.organisation.name},
                )
                return redirect("admin:rota_dutyweek_change", week.pk)
            messages.success(request, _("Thank you: the duty report is filed."))
            return redirect("rota:my_rota")
    return render(
        request,
        "rota/report_form.html",
        {"page_title": _("Duty report"), "week": week, "form": form, "on_behalf": on_behalf},
    )
