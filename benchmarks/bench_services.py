"""Services benchmark: catalogue search at scale, the activity list, and check-in under load.

1. Catalogue: BENCH_SERVICES_CATALOGUE services (default 2,000), each with two providers.
   Timed: the first page of /services/ searched in Chinese (?q=志愿) and in pinyin
   (?q=zhiyuan). Reference: the same page unfiltered.
2. Activities: BENCH_SERVICES_ACTIVITIES upcoming activities (default 1,000) with 10 sign-ups
   each. Timed: the first page of /activities/. Reference: the unfiltered catalogue page above.
3. Check-in: BENCH_SERVICES_CHECKINS members (default 400) check in to one activity from
   BENCH_SERVICES_THREADS threads (default 8), each also replaying once. Reference: the same
   number of check-ins one after another in one thread. Each attendance must be awarded once.

Results are printed as absolute figures and as ratios to the references of the same run.
Run: make bench (PostgreSQL through DATABASE_URL) or python -m benchmarks services.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

from django.db import connection


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _time_get(client, url: str, params: dict | None = None, repeat: int = 20) -> float:
    """Median milliseconds of `repeat` GETs (after one warm-up)."""
    client.get(url, params or {})
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    samples.sort()
    return samples[len(samples) // 2]


def _organisations(count: int, tag: str):
    from rota.models import Organisation

    return Organisation.objects.bulk_create(
        [
            Organisation(name=f"bench-{tag}-{i}", short_name=f"单位{i}", kind="social")
            for i in range(count)
        ]
    )


def _catalogue(size: int) -> None:
    from services.models import Category, Service

    categories = list(Category.objects.all())
    orgs = _organisations(200, "catalogue")
    services = []
    for i in range(size):
        service = Service(
            title=f"{'志愿帮扶' if i % 3 == 0 else '创业咨询'}服务{i}",
            description="为小镇企业和党员提供的服务项目",
            category=categories[i % len(categories)],
            venue="hall",
        )
        service.save()  # computes the pinyin column
        services.append(service)
    through = Service.providers.through
    through.objects.bulk_create(
        [
            through(service_id=s.pk, organisation_id=orgs[(i + k) % len(orgs)].pk)
            for i, s in enumerate(services)
            for k in (0, 7)
        ]
    )


def _activities(size: int) -> None:
    from django.utils import timezone

    from members.models import Branch, Member
    from services.models import Activity, Category, SignUp

    org = _organisations(1, "activities")[0]
    category = Category.objects.first()
    branch, _ = Branch.objects.get_or_create(name="bench-branch", defaults={"kind": "centre"})
    members = Member.objects.bulk_create(
        [Member(name=f"bench-a-{i}", gender="m", branch=branch) for i in range(50)]
    )
    now = timezone.now()
    activities = Activity.objects.bulk_create(
        [
            Activity(
                title=f"bench活动{i}",
                category=category,
                organisation=org,
                starts_at=now + timedelta(days=1 + i % 90, minutes=i),
                ends_at=now + timedelta(days=1 + i % 90, minutes=i, hours=2),
                signup_deadline=now + timedelta(hours=12),
                venue="红盟书吧",
                capacity=8,
                points=5,
            )
            for i in range(size)
        ]
    )
    SignUp.objects.bulk_create(
        [
            SignUp(
                activity=a, member=members[(i + k) % 50], status="confirmed" if k < 8 else "waiting"
            )
            for i, a in enumerate(activities)
            for k in range(10)
        ]
    )


def _check_in_setup(count: int, tag: str):
    from django.utils import timezone

    from members.models import Branch, Member
    from services import actions
    from services.models import Activity, Category, SignUp

    org = _organisations(1, f"checkin-{tag}")[0]
    branch, _ = Branch.objects.get_or_create(name="bench-branch", defaults={"kind": "centre"})
    members = Member.objects.bulk_create(
        [Member(name=f"bench-{tag}-{i}", gender="m", branch=branch) for i in range(count)]
    )
    now = timezone.now()
    activity = Activity.objects.create(
        title=f"bench签到{tag}",
        category=Category.objects.first(),
        organisation=org,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        signup_deadline=now - timedelta(minutes=20),
        venue="红领学院",
        capacity=count,
        points=5,
    )
    SignUp.objects.bulk_create(
        [SignUp(activity=activity, member=m, status="confirmed") for m in members]
    )
    return activity, members, actions.checkin_token(activity=activity)


def _check_in_sequentially(count: int) -> float:
    from services import actions

    activity, members, token = _check_in_setup(count, "seq")
    started = time.perf_counter()
    for member in members:
        actions.check_in(activity=activity, member=member, token=token)
    return count / (time.perf_counter() - started)


def _check_in_concurrently(count: int, threads: int) -> tuple[float, int, int]:
    from points.models import Entry
    from services import actions
    from services.models import Attendance

    activity, members, token = _check_in_setup(count, "par")
    barrier = threading.Barrier(threads + 1)
    failures: list[str] = []

    def worker(chunk):
        try:
            barrier.wait()
            for member in chunk:
                actions.check_in(activity=activity, member=member, token=token)
                actions.check_in(activity=activity, member=member, token=token)  # a replay
        except Exception as exc:  # reported below
            failures.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(members[n::threads],)) for n in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    for w in workers:
        w.join()
    rate = count / (time.perf_counter() - started)
    if failures:
        raise RuntimeError(f"{len(failures)} check-in failures, first: {failures[0]}")
    attended = Attendance.objects.filter(activity=activity).count()
    awards = Entry.objects.filter(source__startswith=f"activity:{activity.pk}:").count()
    return rate, attended, awards


def run() -> None:
    from django.test import Client

    catalogue = _env_int("BENCH_SERVICES_CATALOGUE", 2_000)
    activities = _env_int("BENCH_SERVICES_ACTIVITIES", 1_000)
    checkins = _env_int("BENCH_SERVICES_CHECKINS", 400)
    threads = _env_int("BENCH_SERVICES_THREADS", 8)

    _catalogue(catalogue)
    client = Client()
    reference = _time_get(client, "/services/")
    chinese = _time_get(client, "/services/", {"q": "志愿"})
    pinyin = _time_get(client, "/services/", {"q": "zhiyuan"})
    print(f"catalogue of {catalogue}: first page {reference:.1f} ms (reference)")
    print(f"  search 志愿: {chinese:.1f} ms ({chinese / reference:.2f}x reference)")
    print(f"  search zhiyuan: {pinyin:.1f} ms ({pinyin / reference:.2f}x reference)")

    _activities(activities)
    listing = _time_get(client, "/activities/")
    print(
        f"activities: {activities} with 10 sign-ups each, first page {listing:.1f} ms "
        f"({listing / reference:.2f}x the catalogue page)"
    )

    sequential = _check_in_sequentially(checkins)
    if connection.vendor == "postgresql":
        parallel, attended, awards = _check_in_concurrently(checkins, threads)
        print(f"check-in: {sequential:.0f}/s in one thread (reference)")
        print(
            f"  {threads} threads, each member twice: {parallel:.0f}/s "
            f"({parallel / sequential:.2f}x reference); {attended} attendances, {awards} awards "
            f"for {checkins} members ({'OK' if attended == awards == checkins else 'MISMATCH'})"
        )
    else:
        print(f"check-in: {sequential:.0f}/s in one thread (threads need PostgreSQL; skipped)")
