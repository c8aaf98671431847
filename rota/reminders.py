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
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from rota.models import DutyReport, DutyWeek, Organisation, Reminder

if TYPE_CHECKING:
    from django.db.models import Field

Kind = Reminder.Kind
M = TypeVar("M", bound=Model)

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
    """The active centre organisations' duty and backup contacts, in organisation order: one
    plain statement (a scan reads it whenever an unacknowledged week escalates)."""
    user_table = get_user_model()._meta.db_table
    people = ", ".join(f"{who}.{column}" for who in ("dc", "bc") for column in _PERSON)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {people} FROM {Organisation._meta.db_table} o "  # noqa: S608
            f"LEFT JOIN {user_table} dc ON dc.id = o.duty_contact_id "
            f"LEFT JOIN {user_table} bc ON bc.id = o.backup_contact_id "
            "WHERE o.is_active = %s AND o.kind = %s ORDER BY o.name, o.id",
            [True, Organisation.Kind.CENTRE],
        )
        rows = cursor.fetchall()
    users = []
    for row in rows:
        users += [user for user in _people(row) if user is not None]
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


def compose(kind: str, week: DutyWeek, token: str | None = None) -> Message:
    """The reminder text, in the portal's default language (most contacts read Chinese).

    `token`: the week's acknowledge token if the caller signed it already (signing is most of
    the cost of a text); it is only signed for the kinds whose text carries the link."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "organisation": week.organisation.name,
            "start": long_date(week.week_start),
            "end": long_date(week.week_end),
        }
        ack_line = ""
        if week.acknowledged_at is None and kind not in (
            Kind.UNACKNOWLEDGED,
            Kind.REPORT_MISSING,
        ):
            path = reverse("rota:acknowledge", args=[token or acknowledge_token(week)])
            values["link"] = settings.PORTAL_SITE_URL + path
            ack_line = _("Please acknowledge your duty week: %(link)s") % values
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
        elif kind == Kind.REPORT_MISSING:
            subject = _("Duty report missing: %(organisation)s") % values
            body = (
                _(
                    "The duty week of %(organisation)s from %(start)s to %(end)s has ended and no "
                    "duty report has been filed yet. Please file it on the portal."
                )
                % values
            )
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


# A contact as a reminder needs them (notices.notify: who, active, address, number, language).
_PERSON = ("id", "email", "phone", "is_active", "language")


def _loaded(model: type[M], values: dict) -> M:
    """A model instance of the columns read (the others deferred, as `only()` leaves them)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _field_value(model: type[Model], name: str, value: object) -> object:
    """A value as the ORM reads it (SQLite hands back dates as text, booleans as 0/1)."""
    if value is None:
        return None
    field = cast("Field", model._meta.get_field(name))
    value = field.to_python(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # stored as UTC where the database has no zone
    return value


def _people(values: tuple) -> list:
    """The contacts of a row of `_PERSON` columns, each after the other (None: no contact)."""
    width = len(_PERSON)
    people: list[Any] = []
    for position in range(0, len(values), width):
        person = dict(zip(_PERSON, values[position : position + width], strict=True))
        if person["id"] is None:
            people.append(None)
            continue
        person["is_active"] = bool(person["is_active"])
        people.append(_loaded(get_user_model(), person))
    return people


def candidate_weeks_with_issued(
    now: dt.datetime, weeks=None
) -> list[tuple[DutyWeek, bool, set[str]]]:
    """`candidate_weeks(now)` (of `weeks` only, if given) in pk order, each with its
    organisation and both contacts, whether a report was filed and the kinds of reminder
    already issued: one plain statement (the ORM's compiling of the same join cost more than
    running it, every minute).
    """
    today = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    user_table = get_user_model()._meta.db_table
    people = ", ".join(f"{who}.{column}" for who in ("dc", "bc") for column in _PERSON)
    params: list[Any] = [
        connection.ops.adapt_datefield_value(today - dt.timedelta(days=7) - REPORT_REMINDER_WINDOW),
        connection.ops.adapt_datefield_value(today + dt.timedelta(days=7)),
        DutyWeek.Status.PLANNED,
        DutyWeek.Status.CONFIRMED,
    ]
    only = ""
    if weeks is not None:
        chosen = list(weeks)
        if not chosen:
            return []
        only = f"AND w.id IN ({', '.join(['%s'] * len(chosen))}) "
        params += chosen
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.id, w.week_start, w.status, w.acknowledged_at, w.organisation_id, "  # noqa: S608
            "w.planned_organisation_id, o.name, o.kind, o.is_active, o.duty_contact_id, "
            f"o.backup_contact_id, {people}, "
            f"EXISTS (SELECT 1 FROM {DutyReport._meta.db_table} d WHERE d.duty_week_id = w.id), "
            f"r.kind FROM {DutyWeek._meta.db_table} w "
            f"JOIN {Organisation._meta.db_table} o ON o.id = w.organisation_id "
            f"LEFT JOIN {user_table} dc ON dc.id = o.duty_contact_id "
            f"LEFT JOIN {user_table} bc ON bc.id = o.backup_contact_id "
            f"LEFT JOIN {Reminder._meta.db_table} r ON r.duty_week_id = w.id "
            "WHERE w.week_start >= %s AND w.week_start <= %s AND w.status IN (%s, %s) "
            f"{only}ORDER BY w.id",
            params,
        )
        rows = cursor.fetchall()
    found: dict[int, tuple[DutyWeek, bool, set[str]]] = {}
    width = len(_PERSON)
    for row in rows:
        week_id = row[0]
        if week_id not in found:
            (
                _,
                start,
                status,
                acknowledged,
                org_id,
                planned_id,
                name,
                kind,
                active,
                duty_id,
                backup_id,
            ) = row[:11]
            contacts = _people(row[11 : 11 + 2 * width])
            organisation = _loaded(
                Organisation,
                {
                    "id": org_id,
                    "name": name,
                    "kind": kind,
                    "is_active": bool(active),
                    "duty_contact_id": duty_id,
                    "backup_contact_id": backup_id,
                },
            )
            organisation.duty_contact, organisation.backup_contact = contacts
            week = _loaded(
                DutyWeek,
                {
                    "id": week_id,
                    "week_start": _field_value(DutyWeek, "week_start", start),
                    "status": status,
                    "acknowledged_at": _field_value(DutyWeek, "acknowledged_at", acknowledged),
                    "organisation_id": org_id,
                    "planned_organisation_id": planned_id,
                },
            )
            week.organisation = organisation
            found[week_id] = (week, bool(row[11 + 2 * width]), set())
        if row[-1] is not None:
            found[week_id][2].add(row[-1])
    return list(found.values())
