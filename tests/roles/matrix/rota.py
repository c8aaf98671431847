"""rota: organisations, blackouts, duty weeks, themes, meetings, swaps, reports, deliveries.

Scope of the alliance contact: the organisations they are duty or backup contact of, and
everything hanging from them (blackouts, duty weeks, duty reports), and the swap requests on
either side of which one of them stands. Centre staff hold `rota.manage_rota` and see all.
Rows that depend on the date (swaps need future weeks, reports a started week) are made here
relative to today, on Mondays no other row uses.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from rota import reminders
from rota.models import (
    Blackout,
    DutyReport,
    DutyWeek,
    ExchangeMeeting,
    MeetingAttendance,
    MonthlyTheme,
    Organisation,
    SwapRequest,
    monday_of,
)
from tests.roles.matrix import ALL, OWN, PUBLIC_ROLES, AdminSpec, PageSpec

_n = itertools.count(1)

# Swap requests have two sides: "own" = the contact's organisation asked, "asked" = it was
# asked by another, "other" = two organisations neither of which is the contact's.
SWAP_KEYS = frozenset({"own", "asked", "other"})
BOTH_SIDES = frozenset({"own", "asked"})

CENTRE_STAFF_ALL = {"view": ALL, "change": ALL, "delete": ALL, "export": ALL, "add": ALL}
CENTRE_STAFF_NO_EXPORT = {"view": ALL, "change": ALL, "delete": ALL, "add": ALL}


def free_monday(*, weeks_from_today: int) -> dt.date:
    """A Monday about `weeks_from_today` weeks away that holds no duty week yet."""
    step = 1 if weeks_from_today >= 0 else -1
    monday = monday_of(timezone.localdate()) + dt.timedelta(weeks=weeks_from_today)
    while DutyWeek.objects.filter(week_start=monday).exists():
        monday += dt.timedelta(weeks=step)
    return monday


def week_of(org: Organisation, *, weeks_from_today: int) -> DutyWeek:
    return DutyWeek.objects.create(
        week_start=free_monday(weeks_from_today=weeks_from_today),
        organisation=org,
        planned_organisation=org,
    )


def third_organisation() -> Organisation:
    """An organisation outside every role's scope, besides the world's 'other' one."""
    return Organisation.objects.get_or_create(name="县运管局", defaults={"kind": "bureau"})[0]


def swap_between(
    asking: Organisation, asked: Organisation, status: str = "requested"
) -> SwapRequest:
    mine = week_of(asking, weeks_from_today=20)
    theirs = week_of(asked, weeks_from_today=20)
    return SwapRequest.objects.create(
        from_week=mine,
        to_week=theirs,
        from_organisation=asking,
        to_organisation=asked,
        status=status,
        requested_by=asking.duty_contact,
    )


def swap_rows(world) -> dict:
    own, other = world["organisation"]["own"], world["organisation"]["other"]
    return {
        "own": swap_between(own, other),
        "asked": swap_between(other, own),
        "other": swap_between(third_organisation(), other),
    }


# --- rows of the admin models ---------------------------------------------------------------


def blackout_rows(world) -> dict:
    return {
        key: Blackout.objects.create(
            organisation=org,
            starts_on=world["monday"] + dt.timedelta(days=60),
            ends_on=world["monday"] + dt.timedelta(days=66),
            reason=f"年度审计 {key}",
        )
        for key, org in world["organisation"].items()
    }


def report_rows(world) -> dict:
    return {
        key: DutyReport.objects.create(
            duty_week=week,
            summary=f"红色论坛 {key}",
            services_delivered=3,
            participants=40,
            filed_by=world["users"]["alliance_contact"],
        )
        for key, week in world["dutyweek"].items()
    }


def theme_rows(world) -> dict:
    return {"any": MonthlyTheme.objects.create(month=dt.date(2031, 1, 1), title="党史学习月")}


def meeting_rows(world) -> dict:
    return {
        "any": ExchangeMeeting.objects.create(
            year=2031,
            quarter=1,
            held_on=dt.date(2031, 3, 20),
            venue="红领学院",
            host=world["organisation"]["other"],
            attendance=30,
        )
    }


def attendance_rows(world) -> dict:
    meeting = meeting_rows(world)["any"]
    return {
        "any": MeetingAttendance.objects.create(
            meeting=meeting, organisation=world["organisation"]["own"]
        )
    }


# --- growing the changelists (query counts) -------------------------------------------------


def grow_organisations(world, count: int) -> None:
    contact = world["users"]["alliance_contact"]
    for _ in range(count):
        Organisation.objects.create(
            name=f"社会组织{next(_n)}", kind="social", duty_contact=contact, backup_contact=contact
        )


def grow_blackouts(world, count: int) -> None:
    for _ in range(count):
        start = world["monday"] + dt.timedelta(days=next(_n))
        Blackout.objects.create(
            organisation=world["organisation"]["own"], starts_on=start, ends_on=start
        )


def grow_duty_weeks(world, count: int) -> None:
    for _ in range(count):
        week_of(world["organisation"]["own"], weeks_from_today=30)


def grow_themes(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        MonthlyTheme.objects.create(month=dt.date(2040 + n // 12, n % 12 + 1, 1), title=f"主题{n}")


def grow_meetings(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        ExchangeMeeting.objects.create(
            year=2040 + n // 4,
            quarter=n % 4 + 1,
            held_on=dt.date(2040 + n // 4, 3 * (n % 4) + 1, 15),
            venue="红盟书吧",
            host=world["organisation"]["own"],
        )


def grow_attendance(world, count: int) -> None:
    year = 2050 + next(_n)
    meeting = ExchangeMeeting.objects.create(
        year=year,
        quarter=1,
        held_on=dt.date(year, 3, 1),
        venue="红领学院",
        host=world["organisation"]["own"],
    )
    for _ in range(count):
        organisation = Organisation.objects.create(name=f"县级部门{next(_n)}", kind="bureau")
        MeetingAttendance.objects.create(
            meeting=meeting, organisation=organisation, recorded_by=world["users"]["centre_staff"]
        )


def grow_swaps(world, count: int) -> None:
    own, other = world["organisation"]["own"], world["organisation"]["other"]
    for _ in range(count):
        swap_between(own, other, status="declined")


def grow_reports(world, count: int) -> None:
    for _ in range(count):
        week = week_of(world["organisation"]["own"], weeks_from_today=-30)
        DutyReport.objects.create(
            duty_week=week, summary="志愿服务", filed_by=world["users"]["alliance_contact"]
        )


ADMIN = [
    AdminSpec(
        model="rota.organisation",
        rows=lambda world: world["organisation"],
        allowed={
            "centre_staff": CENTRE_STAFF_ALL,
            # Their own organisation, to read its contacts, blackouts and secret calendar URL.
            "alliance_contact": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.name,
        grow=grow_organisations,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="rota.blackout",
        rows=blackout_rows,
        allowed={
            "centre_staff": CENTRE_STAFF_NO_EXPORT,
            # Contacts see their dates; staff enter them (they plan the rota around them).
            "alliance_contact": {"view": OWN},
        },
        grow=grow_blackouts,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="rota.dutyweek",
        rows=lambda world: world["dutyweek"],
        allowed={
            "centre_staff": CENTRE_STAFF_ALL,
            # Contacts acknowledge, swap and report on their pages; the admin is for reading.
            "alliance_contact": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.organisation.name,
        grow=grow_duty_weeks,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="rota.monthlytheme",
        rows=theme_rows,
        allowed={"centre_staff": CENTRE_STAFF_NO_EXPORT},
        grow=grow_themes,
    ),
    AdminSpec(
        model="rota.exchangemeeting",
        rows=meeting_rows,
        allowed={"centre_staff": CENTRE_STAFF_NO_EXPORT},
        grow=grow_meetings,
    ),
    AdminSpec(
        model="rota.meetingattendance",
        rows=attendance_rows,
        allowed={
            # Recorded and deleted through the rota's actions, never edited (a mistaken row
            # is deleted and recorded again); contacts do not keep attendance.
            "centre_staff": {"view": ALL, "delete": ALL, "add": ALL},
        },
        grow=grow_attendance,
    ),
    AdminSpec(
        model="rota.swaprequest",
        rows=swap_rows,
        allowed={
            # History: a request changes only through its actions (approve, reject here;
            # accept, decline, cancel on the contacts' page); nobody edits or deletes it.
            "centre_staff": {"view": SWAP_KEYS},
            "alliance_contact": {"view": BOTH_SIDES},
        },
        grow=grow_swaps,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="rota.dutyreport",
        rows=report_rows,
        allowed={
            # Filed only through file_duty_report (it also closes the week), never added here;
            # not deleted either (the week would stay done without its report).
            "centre_staff": {"view": ALL, "change": ALL},
            # A contact corrects the text and figures of their own report.
            "alliance_contact": {"view": OWN, "change": OWN},
        },
        grow=grow_reports,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
]


# --- public pages ---------------------------------------------------------------------------


def _posted(response) -> None:
    # Refused POSTs are a 404 (outside the scope), a redirect (to the login page, or back
    # to the contact's page with an error message), never a server error.
    assert response.status_code in (302, 403, 404), response.status_code


def swap_step_attempt(url_name: str, new_status: str):
    def attempt(client, swap: SwapRequest) -> bool:
        _posted(client.post(reverse(url_name, args=[swap.pk])))
        swap.refresh_from_db()
        return swap.status == new_status

    return attempt


def swap_new_rows(world) -> dict:
    target = week_of(third_organisation(), weeks_from_today=20)
    rows = {
        key: week_of(world["organisation"][key], weeks_from_today=20) for key in ("own", "other")
    }
    for row in rows.values():
        row.swap_target = target
    return rows


def swap_new_attempt(client, week: DutyWeek) -> bool:
    response = client.post(
        reverse("rota:swap_new", args=[week.pk]), {"to_week": week.swap_target.pk, "reason": "会议"}
    )
    _posted(response)
    return SwapRequest.objects.filter(from_week=week, to_week=week.swap_target).exists()


def report_new_rows(world) -> dict:
    # Weeks that have ended (a report is filed once the week has started).
    return {
        key: week_of(world["organisation"][key], weeks_from_today=-10) for key in ("own", "other")
    }


def report_new_attempt(client, week: DutyWeek) -> bool:
    response = client.post(
        reverse("rota:report_new", args=[week.pk]),
        {"summary": "开展党建指导三次", "services_delivered": 3, "participants": 25},
    )
    _posted(response)
    return DutyReport.objects.filter(duty_week=week).exists()


def feed_rotate_attempt(client, organisation: Organisation) -> bool:
    before = organisation.feed_token
    _posted(client.post(reverse("rota:feed_rotate", args=[organisation.pk])))
    organisation.refresh_from_db()
    return organisation.feed_token != before


def acknowledge_rows(world) -> dict:
    return {
        key: week_of(world["organisation"][key], weeks_from_today=3) for key in ("own", "other")
    }


def acknowledge_attempt(client, week: DutyWeek) -> bool:
    url = reverse("rota:acknowledge", args=[reminders.acknowledge_token(week)])
    assert client.get(url).status_code == 200
    _posted(client.post(url))
    week.refresh_from_db()
    return week.status == DutyWeek.Status.CONFIRMED


def feed_rows(world) -> dict:
    rows = dict(world["organisation"])
    for org in rows.values():
        org.feed_token = Organisation.new_feed_token()
        org.save(update_fields=["feed_token"])
    return rows


def my_rota_attempt(client, week: DutyWeek) -> bool:
    """The week is listed on the visitor's own rota page."""
    response = client.get(reverse("rota:my_rota"))
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
        return False
    assert response.status_code == 200
    return week.organisation.name in response.content.decode()


# Capability links: whoever holds the secret URL (a contact's phone, a calendar app) may use
# it without logging in; the token, not the visitor, names the row.
EVERYONE = dict.fromkeys(PUBLIC_ROLES, ALL)

PAGES = [
    PageSpec(
        name="rota:my_rota",
        rows=lambda world: world["dutyweek"],
        url=lambda row: reverse("rota:my_rota"),
        allowed={"alliance_contact": OWN},
        attempt=my_rota_attempt,
    ),
    PageSpec(
        name="rota:report_new",
        rows=report_new_rows,
        url=lambda row: reverse("rota:report_new", args=[row.pk]),
        # Duty reports are filed by the organisation's contact, or by centre staff on its
        # behalf (a report handed in on paper; the week's admin page links here).
        allowed={"alliance_contact": OWN, "centre_staff": ALL},
        attempt=report_new_attempt,
    ),
    PageSpec(
        name="rota:swap_new",
        rows=swap_new_rows,
        url=lambda row: reverse("rota:swap_new", args=[row.pk]),
        allowed={"alliance_contact": OWN},
        attempt=swap_new_attempt,
    ),
    PageSpec(
        name="rota:swap_accept",
        # "asked" of the contact's organisation: only then may the contact accept.
        rows=lambda world: {
            "own": swap_between(world["organisation"]["other"], world["organisation"]["own"]),
            "requested": swap_between(world["organisation"]["own"], world["organisation"]["other"]),
            "other": swap_between(third_organisation(), world["organisation"]["other"]),
        },
        url=lambda row: reverse("rota:swap_accept", args=[row.pk]),
        allowed={"alliance_contact": OWN},
        attempt=swap_step_attempt("rota:swap_accept", SwapRequest.Status.ACCEPTED),
    ),
    PageSpec(
        name="rota:swap_decline",
        rows=lambda world: {
            "own": swap_between(world["organisation"]["other"], world["organisation"]["own"]),
            "requested": swap_between(world["organisation"]["own"], world["organisation"]["other"]),
            "other": swap_between(third_organisation(), world["organisation"]["other"]),
        },
        url=lambda row: reverse("rota:swap_decline", args=[row.pk]),
        allowed={"alliance_contact": OWN},
        attempt=swap_step_attempt("rota:swap_decline", SwapRequest.Status.DECLINED),
    ),
    PageSpec(
        name="rota:swap_cancel",
        # Only the asking side cancels; the asked side declines instead.
        rows=lambda world: {
            "own": swap_between(world["organisation"]["own"], world["organisation"]["other"]),
            "asked": swap_between(world["organisation"]["other"], world["organisation"]["own"]),
            "other": swap_between(third_organisation(), world["organisation"]["other"]),
        },
        url=lambda row: reverse("rota:swap_cancel", args=[row.pk]),
        allowed={"alliance_contact": OWN},
        attempt=swap_step_attempt("rota:swap_cancel", SwapRequest.Status.CANCELLED),
    ),
    PageSpec(
        name="rota:feed_rotate",
        rows=lambda world: world["organisation"],
        url=lambda row: reverse("rota:feed_rotate", args=[row.pk]),
        allowed={"alliance_contact": OWN},
        attempt=feed_rotate_attempt,
    ),
    PageSpec(
        name="rota:acknowledge",
        rows=acknowledge_rows,
        url=lambda row: reverse("rota:acknowledge", args=[reminders.acknowledge_token(row)]),
        allowed=EVERYONE,
        attempt=acknowledge_attempt,
    ),
    PageSpec(
        name="rota:organisation_feed",
        rows=feed_rows,
        url=lambda row: reverse("rota:organisation_feed", args=[row.feed_token]),
        allowed=EVERYONE,
    ),
]
