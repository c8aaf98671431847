"""RFC 5545 calendars of the covenant (via the icalendar library), in Asia/Shanghai.

Duty weeks are all-day events Monday to Sunday (DTEND is the following Monday, exclusive),
showing the organisation that holds the week now, after any swap. Each carries a description
and a link (URL) to that week on the public rota page: an organisation has no public page of
its own, and the week's row names it, its status and the way to the rest of the calendar.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from rota.models import DutyWeek, ExchangeMeeting

UID_DOMAIN = "rota.deqing-hub"


def build_calendar(*, weeks, meetings, name: str) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", "-//Deqing GIS Town//Red Alliance rota//ZH")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        for week in weeks:
            event = Event()
            event.add("uid", f"dutyweek-{week.week_start:%Y%m%d}@{UID_DOMAIN}")
            event.add("dtstamp", stamp)
            event.add("dtstart", week.week_start)
            event.add("dtend", week.week_start + dt.timedelta(days=7))
            event.add(
                "summary",
                _("Duty week: %(organisation)s") % {"organisation": week.organisation.name},
            )
            event.add("description", _describe(week))
            event.add("url", week_url(week))
            event.add(
                "status", "CANCELLED" if week.status == DutyWeek.Status.MISSED else "CONFIRMED"
            )
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        for meeting in meetings:
            event = Event()
            event.add("uid", f"meeting-{meeting.year}q{meeting.quarter}@{UID_DOMAIN}")
            event.add("dtstamp", stamp)
            start = dt.datetime.combine(meeting.held_on, dt.time(14, 30), tzinfo=tz)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(hours=2))
            event.add(
                "summary",
                _("Quarterly exchange meeting, hosted by %(host)s") % {"host": meeting.host.name},
            )
            event.add("location", meeting.venue)
            cal.add_component(event)
        cal.add_missing_timezones()
        return cal.to_ical()


def week_url(week: DutyWeek) -> str:
    """The absolute address of the week's row on the public rota page (its year, its anchor)."""
    path = reverse("rota:calendar")
    return f"{settings.PORTAL_SITE_URL}{path}?year={week.week_start.year}#{week_anchor(week)}"


def week_anchor(week: DutyWeek) -> str:
    return f"week-{week.week_start:%Y-%m-%d}"


def _describe(week: DutyWeek) -> str:
    return _(
        "%(organisation)s is on duty at the party and masses service centre this week "
        "(status: %(status)s). The rota, the monthly theme and the exchange meetings: %(url)s"
    ) % {
        "organisation": week.organisation.name,
        "status": week.get_status_display(),
        "url": week_url(week),
    }


def alliance_calendar() -> bytes:
    weeks = DutyWeek.objects.select_related("organisation").order_by("week_start")
    meetings = ExchangeMeeting.objects.select_related("host")
    return build_calendar(weeks=weeks, meetings=meetings, name=_calendar_name())


def organisation_calendar(organisation) -> bytes:
    weeks = organisation.duty_weeks.select_related("organisation").order_by("week_start")
    meetings = ExchangeMeeting.objects.select_related("host")
    with translation.override(settings.LANGUAGE_CODE):
        name = f"{_calendar_name()} · {organisation.name}"
    return build_calendar(weeks=weeks, meetings=meetings, name=name)


def _calendar_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("GIS Red Alliance duty rota")
