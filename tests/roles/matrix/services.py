"""services: categories, the catalogue, requests, records, activities, sign-ups, attendance.

Who does what (issue #9): centre staff run the catalogue and everything else; an alliance
contact sees the requests dispatched to their organisation and their organisation's
activities with those activities' sign-ups and attendance, and answers requests and runs
check-in on the public pages. Members act on their own requests and sign-ups.
Request steps: dispatch (centre staff), accept / decline / complete (the organisation's contact
or centre staff), rate / withdraw (the requester).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone

from members.models import Member
from services import actions
from services.models import (
    Activity,
    Attendance,
    Category,
    Service,
    ServiceRecord,
    ServiceRequest,
    SignUp,
)
from tests.conftest import make_user
from tests.roles.matrix import ALL, OWN, PUBLIC_ROLES, AdminSpec, PageSpec

_n = itertools.count(1)


def _user():
    n = next(_n)
    # 1371...: apart from the world's numbers (135..., 137000000xx).
    return make_user(email=f"r{n}@example.cn", phone=f"1371{n:07d}")


def _activity(world, key: str, *, now: bool = False, **extra) -> Activity:
    """A fresh activity of the own or other organisation; `now`: under way (check-in open)."""
    start = (
        timezone.now() - dt.timedelta(minutes=10) if now else world["now"] + dt.timedelta(days=3)
    )
    return Activity.objects.create(
        title=f"活动{next(_n)}",
        category=world["category"],
        organisation=world["organisation"][key],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="红盟书吧",
        capacity=5,
        points=extra.pop("points", 0),
        signup_deadline=start + dt.timedelta(minutes=30) if now else start - dt.timedelta(hours=1),
        **extra,
    )


def _web_member(world) -> Member:
    """The Member record of the `member` persona (a web login in the own branch)."""
    return Member.objects.get(user=world["users"]["member"])


# --- growing changelists -------------------------------------------------------------------


def grow_requests(world, count: int) -> None:
    template = world["servicerequest"]["own"]
    for _ in range(count):
        ServiceRequest.objects.create(
            service=template.service,
            requester=_user(),
            details="需要帮助",
            status="dispatched",
            organisation=template.organisation,
            dispatched_at=world["now"],
        )


def grow_activities(world, count: int) -> None:
    template = world["activity"]["own"]
    for _ in range(count):
        Activity.objects.create(
            title=f"活动{next(_n)}",
            category=template.category,
            organisation=template.organisation,
            starts_at=template.starts_at,
            ends_at=template.ends_at,
            venue="红盟书吧",
            capacity=5,
            signup_deadline=template.signup_deadline,
        )


def grow_categories(world, count: int) -> None:
    for _ in range(count):
        n = next(_n)
        Category.objects.create(code=f"extra-{n}", name=f"分类{n}", position=100 + n)


def grow_services(world, count: int) -> None:
    for _ in range(count):
        service = Service.objects.create(
            title=f"服务{next(_n)}", category=world["category"], venue="hall"
        )
        service.providers.add(*world["organisation"].values())


def grow_records(world, count: int) -> None:
    for _ in range(count):
        # Each from a completed request: the list shows the request too.
        request = ServiceRequest.objects.create(
            service=world["service"],
            requester=world["requester"],
            details="需要帮助",
            status="completed",
            organisation=world["organisation"]["own"],
            dispatched_at=world["now"],
            completed_at=world["now"],
        )
        ServiceRecord.objects.create(
            request=request,
            service=world["service"],
            organisation=world["organisation"]["own"],
            delivered_on=world["monday"],
            duty_week=world["dutyweek"]["own"],
            people_served=2,
            notes=f"记录{next(_n)}",
            recorded_by=world["users"]["centre_staff"],
        )


def _signed_up_member(world, activity: Activity, status: str = "confirmed") -> SignUp:
    member = Member.objects.create(
        name=f"党员{next(_n)}", gender="m", branch=world["branch"]["own"]
    )
    return SignUp.objects.create(activity=activity, member=member, status=status)


def grow_signups(world, count: int) -> None:
    for _ in range(count):
        _signed_up_member(world, world["activity"]["own"])


def grow_attendances(world, count: int) -> None:
    activity = world["activity"]["own"]
    for _ in range(count):
        signup = _signed_up_member(world, activity)
        Attendance.objects.create(
            activity=activity,
            member=signup.member,
            method="list",
            checked_in_by=world["users"]["alliance_contact"],
        )


# --- admin rows --------------------------------------------------------------------------------


def record_rows(world) -> dict:
    return {
        key: ServiceRecord.objects.create(
            service=world["service"],
            organisation=world["organisation"][key],
            delivered_on=world["monday"],
            people_served=3,
            notes=f"记录标记-{key}",
        )
        for key in ("own", "other")
    }


def signup_rows(world) -> dict:
    return {
        key: SignUp.objects.create(
            activity=world["activity"][key], member=world["member"][key], status="confirmed"
        )
        for key in ("own", "other")
    }


def attendance_rows(world) -> dict:
    return {
        key: Attendance.objects.create(
            activity=world["activity"][key], member=world["member"][key], method="list"
        )
        for key in ("own", "other")
    }


CENTRE_STAFF_ALL = {"view": ALL, "change": ALL, "delete": ALL, "add": ALL}

ADMIN = [
    AdminSpec(
        model="services.category",
        rows=lambda world: {"any": world["category"]},
        # The six categories of the service list: centre staff keep them; no other role needs them.
        allowed={"centre_staff": CENTRE_STAFF_ALL},
        grow=grow_categories,
    ),
    AdminSpec(
        model="services.service",
        rows=lambda world: {"any": world["service"]},
        # The catalogue is public on /services/; only centre staff edit it (and its sheet).
        allowed={"centre_staff": {**CENTRE_STAFF_ALL, "export": ALL}},
        marker=lambda row: row.title,
        grow=grow_services,
    ),
    AdminSpec(
        model="services.servicerequest",
        rows=lambda world: world["servicerequest"],
        allowed={
            # Staff also take requests made by telephone or at the counter. The rows are
            # dispatched: no longer deleted by anyone (test_admin_roles: before dispatch).
            "centre_staff": {"view": ALL, "change": ALL, "add": ALL},
            # Contacts answer on the request page (the steps are logged and notified there).
            "alliance_contact": {"view": OWN},
        },
        grow=grow_requests,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="services.servicerecord",
        rows=record_rows,
        # The evidence behind the figures and the ranking: kept by centre staff, exported to
        # Excel; contacts record their services on the portal's form, not in the admin.
        allowed={"centre_staff": {**CENTRE_STAFF_ALL, "export": ALL}},
        marker=lambda row: row.notes,
        grow=grow_records,
    ),
    AdminSpec(
        model="services.activity",
        rows=lambda world: world["activity"],
        allowed={
            "centre_staff": CENTRE_STAFF_ALL,
            "alliance_contact": {"view": OWN, "change": OWN},
        },
        grow=grow_activities,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="services.signup",
        rows=signup_rows,
        # Sign-ups change only through actions (the waiting list moves up): nobody edits or
        # deletes one by hand; staff cancel with the admin action, contacts only look.
        # Sign-up lists are exported to print for the desk.
        allowed={
            "centre_staff": {"view": ALL, "export": ALL},
            "alliance_contact": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.member.name,
        grow=grow_signups,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
    AdminSpec(
        model="services.attendance",
        rows=attendance_rows,
        # Evidence for awarded points: read-only for everyone, written by check-in only.
        allowed={
            "centre_staff": {"view": ALL, "export": ALL},
            "alliance_contact": {"view": OWN, "export": OWN},
        },
        marker=lambda row: row.member.name,
        grow=grow_attendances,
        grow_viewers=("centre_staff", "alliance_contact"),
    ),
]


# --- public pages ------------------------------------------------------------------------------


def _request(world, key: str, status: str, *, dispatched: bool = True) -> ServiceRequest:
    """A fresh request: "own" is the member persona's, dispatched to the own organisation;
    "other" is someone else's, dispatched to the other organisation."""
    service = Service.objects.create(
        title=f"服务{next(_n)}", category=world["category"], venue="hall"
    )
    service.providers.add(*world["organisation"].values())
    now = timezone.now()
    return ServiceRequest.objects.create(
        service=service,
        requester=world["users"]["member"] if key == "own" else _user(),
        details=f"需要帮助 {key}",
        status=status,
        organisation=world["organisation"][key] if dispatched else None,
        dispatched_at=now if dispatched else None,
        completed_at=now if status == "completed" else None,
    )


def request_rows(status: str, *, dispatched: bool = True):
    def rows(world) -> dict:
        return {
            key: _request(world, key, status, dispatched=dispatched) for key in ("own", "other")
        }

    return rows


def request_step(step: str, becomes: str, data=None):
    """POST one step of a request; allowed when the request moved to `becomes`."""

    def attempt(client, row: ServiceRequest) -> bool:
        payload = data(row) if callable(data) else dict(data or {})
        client.post(reverse(f"services:request_{step}", args=[row.pk]), payload)
        row.refresh_from_db()
        return row.status == becomes

    return attempt


def _dispatch_to(row: ServiceRequest) -> dict:
    return {"organisation": row.service.providers.order_by("pk").first().pk}


def _checkin_rows(world) -> dict:
    """ "own": under way with the member persona confirmed; "other": someone else's place."""
    rows = {}
    for key in ("own", "other"):
        activity = _activity(world, key, now=True, points=2)
        member = _web_member(world) if key == "own" else world["member"]["other"]
        SignUp.objects.create(activity=activity, member=member, status="confirmed")
        rows[key] = activity
    return rows


def _check_in(client, row: Activity) -> bool:
    token = actions.checkin_token(activity=row)
    client.post(reverse("services:check_in", args=[row.pk]), {"t": token})
    return row.attendances.exists()


def _tick_rows(world) -> dict:
    rows = {}
    for key in ("own", "other"):
        activity = _activity(world, key, now=True)
        _signed_up_member(world, activity)
        rows[key] = activity
    return rows


def _tick(client, row: Activity) -> bool:
    member_id = row.signups.get().member_id
    client.post(reverse("services:activity_tick", args=[row.pk]), {"members": [member_id]})
    return row.attendances.filter(member_id=member_id).exists()


def _sign_up(client, row: Activity) -> bool:
    client.post(reverse("services:activity_sign_up", args=[row.pk]))
    return row.signups.active().exists()


def _cancel_rows(world) -> dict:
    """ "own": the member persona's sign-up; "other": another member's sign-up."""
    return {
        key: SignUp.objects.create(
            activity=_activity(world, key),
            member=_web_member(world) if key == "own" else world["member"]["other"],
            status="confirmed",
        )
        for key in ("own", "other")
    }


def _cancel(client, row: SignUp) -> bool:
    client.post(reverse("services:activity_cancel", args=[row.activity_id]))
    row.refresh_from_db()
    return row.status == SignUp.Status.CANCELLED


# Who answers a dispatched request: its organisation's contact, or centre staff.
ANSWERERS = {"centre_staff": ALL, "alliance_contact": OWN}
ORGANISERS = {"centre_staff": ALL, "alliance_contact": OWN}


def _request_new(client, row: Service) -> bool:
    client.post(reverse("services:request_new", args=[row.pk]), {"details": "需要帮助"})
    return row.requests.exists()


def _fresh_service(world, *, is_active: bool = True) -> dict:
    service = Service.objects.create(
        title=f"服务{next(_n)}", category=world["category"], venue="hall", is_active=is_active
    )
    return {"any": service}


def _withdrawn_service(world) -> dict:
    return _fresh_service(world, is_active=False)


LOGGED_IN = {role: ALL for role in PUBLIC_ROLES if role != "anonymous"}

PAGES = [
    PageSpec(
        name="services:service_detail",
        rows=lambda world: {"any": world["service"]},
        url=lambda row: reverse("services:service_detail", args=[row.pk]),
        # The catalogue is public.
        allowed=dict.fromkeys(PUBLIC_ROLES, ALL),
    ),
    PageSpec(
        name="services:service_detail (withdrawn)",
        rows=_withdrawn_service,
        url=lambda row: reverse("services:service_detail", args=[row.pk]),
        # A service taken off the list is gone for everyone (staff see it in the admin).
        allowed={},
    ),
    PageSpec(
        name="services:request_new",
        rows=_fresh_service,
        url=lambda row: reverse("services:request_new", args=[row.pk]),
        # 点单: anyone with a login asks for a service (staff too, for themselves).
        allowed=LOGGED_IN,
        attempt=_request_new,
    ),
    PageSpec(
        name="services:request_new (withdrawn)",
        rows=_withdrawn_service,
        url=lambda row: reverse("services:request_new", args=[row.pk]),
        allowed={},
        attempt=_request_new,
    ),
    PageSpec(
        name="services:request_detail",
        rows=request_rows("dispatched"),
        url=lambda row: reverse("services:request_detail", args=[row.pk]),
        # The requester, the organisation it was dispatched to, and centre staff.
        allowed={**ANSWERERS, "member": OWN},
    ),
    PageSpec(
        name="services:request_detail (not yet dispatched)",
        rows=request_rows("requested", dispatched=False),
        url=lambda row: reverse("services:request_detail", args=[row.pk]),
        # No organisation sees a request before the centre dispatches it.
        allowed={"centre_staff": ALL, "member": OWN},
    ),
    PageSpec(
        name="services:request_dispatch",
        rows=request_rows("requested", dispatched=False),
        url=lambda row: reverse("services:request_dispatch", args=[row.pk]),
        allowed={"centre_staff": ALL},
        attempt=request_step("dispatch", "dispatched", _dispatch_to),
    ),
    PageSpec(
        name="services:request_dispatch (declined)",
        rows=request_rows("declined"),
        url=lambda row: reverse("services:request_dispatch", args=[row.pk]),
        # A declined request goes back to the centre; its organisation cannot re-dispatch it.
        allowed={"centre_staff": ALL},
        attempt=request_step("dispatch", "dispatched", _dispatch_to),
    ),
    PageSpec(
        name="services:request_accept",
        rows=request_rows("dispatched"),
        url=lambda row: reverse("services:request_accept", args=[row.pk]),
        allowed=ANSWERERS,
        attempt=request_step("accept", "accepted"),
    ),
    PageSpec(
        name="services:request_decline",
        rows=request_rows("dispatched"),
        url=lambda row: reverse("services:request_decline", args=[row.pk]),
        allowed=ANSWERERS,
        attempt=request_step("decline", "declined", {"reason": "本周人手不足"}),
    ),
    PageSpec(
        name="services:request_complete",
        rows=request_rows("accepted"),
        url=lambda row: reverse("services:request_complete", args=[row.pk]),
        allowed=ANSWERERS,
        attempt=request_step("complete", "completed", {"people_served": 2, "notes": "已办结"}),
    ),
    PageSpec(
        name="services:request_rate",
        rows=request_rows("completed"),
        url=lambda row: reverse("services:request_rate", args=[row.pk]),
        # Only the requester rates; staff and the organisation cannot rate their own work.
        allowed={"member": OWN},
        attempt=lambda client, row: (
            client.post(reverse("services:request_rate", args=[row.pk]), {"rating": 5}),
            ServiceRequest.objects.filter(pk=row.pk, rating=5).exists(),
        )[1],
    ),
    PageSpec(
        name="services:request_withdraw",
        rows=request_rows("dispatched"),
        url=lambda row: reverse("services:request_withdraw", args=[row.pk]),
        allowed={"member": OWN},
        attempt=request_step("withdraw", "withdrawn"),
    ),
    PageSpec(
        name="services:activity_detail",
        rows=lambda world: world["activity"],
        url=lambda row: reverse("services:activity_detail", args=[row.pk]),
        # Published activities are public, whoever organises them.
        allowed=dict.fromkeys(PUBLIC_ROLES, ALL),
    ),
    PageSpec(
        name="services:activity_detail (unpublished)",
        rows=lambda world: {
            key: _activity(world, key, is_published=False) for key in ("own", "other")
        },
        url=lambda row: reverse("services:activity_detail", args=[row.pk]),
        # Hidden on the portal for everyone, organisers included (they see it in the admin).
        allowed={},
    ),
    PageSpec(
        name="services:activity_sign_up",
        rows=lambda world: {key: _activity(world, key) for key in ("own", "other")},
        url=lambda row: reverse("services:activity_sign_up", args=[row.pk]),
        # Any party member with a web login, for any organisation's activity.
        allowed={"member": ALL},
        attempt=_sign_up,
    ),
    PageSpec(
        name="services:activity_cancel",
        rows=_cancel_rows,
        url=lambda row: reverse("services:activity_cancel", args=[row.activity_id]),
        # Only one's own sign-up; centre staff cancel others' in the admin (an action).
        allowed={"member": OWN},
        attempt=_cancel,
    ),
    PageSpec(
        name="services:check_in",
        rows=_checkin_rows,
        url=lambda row: reverse("services:check_in", args=[row.pk]),
        # The member with a confirmed place, with the code shown at the venue.
        allowed={"member": OWN},
        attempt=_check_in,
    ),
    PageSpec(
        name="services:activity_desk",
        rows=lambda world: world["activity"],
        url=lambda row: reverse("services:activity_desk", args=[row.pk]),
        allowed=ORGANISERS,
    ),
    PageSpec(
        name="services:activity_desk_qr",
        rows=lambda world: world["activity"],
        url=lambda row: reverse("services:activity_desk_qr", args=[row.pk]),
        allowed=ORGANISERS,
    ),
    PageSpec(
        name="services:activity_tick",
        rows=_tick_rows,
        url=lambda row: reverse("services:activity_tick", args=[row.pk]),
        allowed=ORGANISERS,
        attempt=_tick,
    ),
]
