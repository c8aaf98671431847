"""Which reminders fall due when, to whom, and what they say.

Rules (times local, at ROTA_REMINDER_HOUR):
- 7 days before the week: the duty contact, with a link to acknowledge;
- 2 days before, if still not acknowledged: the backup contact and the centre's contacts;
- 1 day before: the duty contact again (the link too, if not acknowledged yet);
- the Monday after the week, if no duty report was filed: the duty contact.
A pre-week reminder is only due until the week starts; a report reminder for two weeks.
Recipients are read when the reminder is issued (rota.actions.reminders); each is then told
through members.notices, on the channels it reaches them by.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from rota.models import DutyWeek, Organisation, Reminder

Kind = Reminder.Kind

# Kind -> days from the Monday of the week.
OFFSETS: dict[str, int] = {
    Kind.WEEK_AHEAD: -7,
    Kind.UNACKNOWLEDGED: -2,
    Kind.DAY_BEFORE: -1,
    Kind.REPORT_MISSING: 7,
}
REPORT_REMINDER_WINDOW = dt.timedelta(days=14)
ACK_SALT = "rota.acknowledge"
ACK_MAX_AGE = dt.timedelta(days=30)


def local_time(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def due_at(kind: str, week_start: dt.date) -> dt.datetime:
    return local_time(week_start + dt.timedelta(days=OFFSETS[kind]), settings.ROTA_REMINDER_HOUR)


def still_wanted(kind: str, week: DutyWeek, now: dt.datetime, *, has_report: bool) -> bool:
    """Whether a reminder of `kind` for `week` is (still) worth sending at `now`."""
    open_week = week.status in (DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED)
    if not open_week:
        return False
    if kind == Kind.REPORT_MISSING:
        return not has_report and now < due_at(kind, week.week_start) + REPORT_REMINDER_WINDOW
    if now >= local_time(week.week_start):
        return False
    if kind == Kind.UNACKNOWLEDGED:
        return week.acknowledged_at is None
    return True


def due_kinds(week: DutyWeek, now: dt.datetime, *, has_report: bool) -> list[str]:
    return [
        kind
        for kind in OFFSETS
        if due_at(kind, week.week_start) <= now
        and still_wanted(kind, week, now, has_report=has_report)
    ]


def centre_contacts() -> list:
    users = []
    for org in (
        Organisation.objects.active()
        .filter(kind=Organisation.Kind.CENTRE)
        .select_related("duty_contact", "backup_contact")
    ):
        users += [u for u in (org.duty_contact, org.backup_contact) if u is not None]
    return users


def recipients(kind: str, week: DutyWeek, centre: list | None = None) -> list:
    """People a reminder goes to (active accounts only, each once)."""
    org = week.organisation
    if kind == Kind.UNACKNOWLEDGED:
        people = [org.backup_contact, *(centre if centre is not None else centre_contacts())]
    else:
        people = [org.duty_contact or org.backup_contact]
    seen, result = set(), []
    for user in people:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def acknowledge_token(week: DutyWeek) -> str:
    return signing.dumps({"w": week.pk, "o": week.organisation_id}, salt=ACK_SALT, compress=True)


def read_acknowledge_token(token: str) -> dict:
    """Return the token's payload; raise signing.BadSignature if forged or expired."""
    return signing.loads(token, salt=ACK_SALT, max_age=ACK_MAX_AGE)


def acknowledge_url(week: DutyWeek) -> str:
    return settings.PORTAL_SITE_URL + reverse("rota:acknowledge", args=[acknowledge_token(week)])


def long_date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@dataclass
class Message:
    subject: str
    body: str


def compose(kind: str, week: DutyWeek) -> Message:
    """The reminder text, in the portal's default language (most contacts read Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "organisation": week.organisation.name,
            "start": long_date(week.week_start),
            "end": long_date(week.week_end),
            "link": acknowledge_url(week),
        }
        ack_line = (
            _("Please acknowledge your duty week: %(link)s") % values
            if week.acknowledged_at is None
            else ""
        )
        if kind == Kind.WEEK_AHEAD:
            subject = _("Duty week in 7 days: %(organisation)s") % values
            body = (
                _("%(organisation)s is on duty at the service centre from %(start)s to %(end)s.")
                % values
            )
        elif kind == Kind.DAY_BEFORE:
            subject = _("Duty week starts tomorrow: %(organisation)s") % values
            body = (
                _(
                    "Reminder: %(organisation)s is on duty at the service centre from tomorrow, "
                    "%(start)s, to %(end)s."
                )
                % values
            )
        elif kind == Kind.UNACKNOWLEDGED:
            subject = _("Duty week not acknowledged: %(organisation)s") % values
            body = (
                _(
                    "%(organisation)s has not acknowledged its duty week from %(start)s to "
                    "%(end)s. Please contact the organisation and make sure the week is covered."
                )
                % values
            )
            ack_line = ""
        elif kind == Kind.REPORT_MISSING:
            subject = _("Duty report missing: %(organisation)s") % values
            body = (
                _(
                    "The duty week of %(organisation)s from %(start)s to %(end)s has ended and no "
                    "duty report has been filed yet. Please file it on the portal."
                )
                % values
            )
            ack_line = ""
        else:
            subject = _("Duty week changed by a swap: %(organisation)s") % values
            body = (
                _("A swap was approved: %(organisation)s is now on duty from %(start)s to %(end)s.")
                % values
            )
        prefix = _("[GIS Red Alliance]")
        text = f"{prefix} {body}"
        if ack_line:
            text = f"{text}\n{ack_line}"
        return Message(subject=f"{prefix} {subject}", body=text)


def candidate_weeks(now: dt.datetime):
    """Weeks that may have a reminder due around `now` (a bounded window, never the past)."""
    today = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    return (
        DutyWeek.objects.filter(
            week_start__gte=today - dt.timedelta(days=7) - REPORT_REMINDER_WINDOW,
            week_start__lte=today + dt.timedelta(days=7),
        )
        .filter(Q(status=DutyWeek.Status.PLANNED) | Q(status=DutyWeek.Status.CONFIRMED))
        .select_related("organisation__duty_contact", "organisation__backup_contact")
    )
