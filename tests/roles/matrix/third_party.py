"""Models other libraries register: groups, e-mail addresses, lockout logs, periodic tasks.

None of them has a scope: one row each ("any"). Roles are declared in code, so groups are
only read; logs are read-only for everyone; the schedule is declared in code, so centre staff
only pause and resume its entries.
"""

from __future__ import annotations

import datetime as dt
import itertools

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from tests.conftest import make_user
from tests.roles.matrix import ALL, AdminSpec

_n = itertools.count(1)

VIEW = {"view": ALL}


def _client(n: int) -> dict:
    return {
        "ip_address": f"10.0.{n // 250}.{n % 250 + 1}",
        "user_agent": "Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }


def attempt(n: int) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=f"account:{9000 + n}",
        get_data="",
        post_data="login=13812345678",
        failures_since_start=5,
        **_client(n),
    )


def access_log(n: int) -> AccessLog:
    return AccessLog.objects.create(username=f"account:{9000 + n}", **_client(n))


def failure_log(n: int) -> AccessFailureLog:
    return AccessFailureLog.objects.create(
        username=f"1381234{n:04d}", locked_out=n % 2 == 0, **_client(n)
    )


def group(n: int) -> Group:
    return Group.objects.create(name=f"测试角色{n}")


def address(n: int):
    # A prefix of its own: the counter runs on across a process, and 1370000nnnn reached the
    # world's requester (13700000099) once enough tests had made rows.
    return make_user(email=f"addr{n}@example.cn", phone=f"1372{n:07d}").emailaddress_set.get()


def crontab(n: int) -> CrontabSchedule:
    return CrontabSchedule.objects.create(minute=str(n % 60), hour="3", timezone="Asia/Shanghai")


def interval(n: int) -> IntervalSchedule:
    return IntervalSchedule.objects.create(every=n + 1, period=IntervalSchedule.MINUTES)


def clocked(n: int) -> ClockedSchedule:
    return ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=n))


def solar(n: int) -> SolarSchedule:
    return SolarSchedule.objects.create(
        event="sunrise", latitude="30.540000", longitude=f"{119.9 + n / 1000:.6f}"
    )


def periodic_task(n: int) -> PeriodicTask:
    # Each task on another kind of schedule, so the list joins all four.
    schedule = [
        {"crontab": crontab(n)},
        {"interval": interval(n)},
        {"clocked": clocked(n), "one_off": True},
        {"solar": solar(n)},
    ][n % 4]
    return PeriodicTask.objects.create(name=f"测试任务{n}", task="members.purge_audit", **schedule)


def one(make):
    """rows(world): one fresh row without scope."""
    return lambda world: {"any": make(next(_n))}


def more(make):
    """grow(world, count): `count` more rows."""

    def grow(world, count: int) -> None:
        for _ in range(count):
            make(next(_n))

    return grow


def spec(model: str, make, allowed: dict, viewers: tuple[str, ...]) -> AdminSpec:
    return AdminSpec(
        model=model, rows=one(make), allowed=allowed, grow=more(make), grow_viewers=viewers
    )


ADMIN = [
    # Roles are declared in deqing_hub/roles.py; who holds one is set on the account page.
    spec("auth.group", group, {"centre_staff": VIEW}, ("centre_staff",)),
    # Confirm an address or make it primary for a member stuck at login; not add or remove.
    spec(
        "account.emailaddress",
        address,
        {"centre_staff": {"view": ALL, "change": ALL}},
        ("centre_staff",),
    ),
    # Centre staff unlock an account by deleting its attempts (recorded); the auditor reads.
    spec(
        "axes.accessattempt",
        attempt,
        {"centre_staff": {"view": ALL, "delete": ALL}, "auditor": VIEW},
        ("centre_staff", "auditor"),
    ),
    spec("axes.accesslog", access_log, {"auditor": VIEW}, ("auditor",)),
    spec("axes.accessfailurelog", failure_log, {"auditor": VIEW}, ("auditor",)),
    # The schedule lives in deqing_hub/schedule.py: staff see it and pause or resume entries.
    spec(
        "django_celery_beat.periodictask",
        periodic_task,
        {"centre_staff": {"view": ALL, "change": ALL}},
        ("centre_staff",),
    ),
    spec("django_celery_beat.crontabschedule", crontab, {"centre_staff": VIEW}, ("centre_staff",)),
    spec(
        "django_celery_beat.intervalschedule", interval, {"centre_staff": VIEW}, ("centre_staff",)
    ),
    spec("django_celery_beat.clockedschedule", clocked, {"centre_staff": VIEW}, ("centre_staff",)),
    spec("django_celery_beat.solarschedule", solar, {"centre_staff": VIEW}, ("centre_staff",)),
]
