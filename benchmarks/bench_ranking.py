"""Ranking benchmark: the monthly ranking page over a ledger of 1,000,000 entries.

Data: BENCH_RANKING_ENTRIES earned ledger entries (default 1,000,000) spread evenly over the
last 365 days, across BENCH_RANKING_MEMBERS members (default 5,000) in 10 branches, 49 alliance
organisations. Then, timed (median of several runs):

- reference: what a naive page would do in every request - sum this month's ledger per member
  (`points.queries.points_earned_by_member`, one grouped query over the raw ledger);
- refresh: the periodic task that re-sums the open months into `MemberMonthTotal` (off-request);
- page, cold: GET /ranking/ with an empty cache (reads the totals, never the ledger);
- page, after refresh: GET /ranking/ once the refresh task has pre-computed the month;
- page, cached: GET /ranking/ again (the ranking part comes from the cache);
- closed month, cold and cached: GET /ranking/<last month>/ after `close_month`.

Printed as seconds and as ratios to the reference of the same run (below 1 is faster).
Run: make bench (PostgreSQL through DATABASE_URL) or python -m benchmarks ranking.
"""

from __future__ import annotations

import os
import statistics
import time

from django.db import connection, transaction

BRANCHES = 10
ORGANISATIONS = 49


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _setup_people(members: int) -> int:
    """Branches, members (a third consenting) with accounts, organisations; first account id."""
    from members.models import Branch, Member
    from points.models import Account
    from rota.models import Organisation

    branches = Branch.objects.bulk_create(
        [Branch(name=f"bench-支部{i}", kind=Branch.Kind.STANDALONE) for i in range(BRANCHES)]
    )
    people = Member.objects.bulk_create(
        [
            Member(
                name=f"测试{i}",
                # What Member.save() derives; bulk_create does not call save().
                name_pinyin=f"ceshi{i} cs{i}",
                gender=Member.Gender.FEMALE,
                branch=branches[i % BRANCHES],
                ranking_consent=i % 3 == 0,
            )
            for i in range(members)
        ],
        batch_size=2000,
    )
    accounts = Account.objects.bulk_create([Account(member=m) for m in people], batch_size=2000)
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"bench-单位{i}", kind=Organisation.Kind.SOCIAL_ORGANISATION)
            for i in range(ORGANISATIONS)
        ]
    )
    return min(a.pk for a in accounts)


def _fill_ledger(first_account: int, members: int, entries: int) -> None:
    """Insert `entries` earned entries in one statement, one every ~31 s over the last year."""
    step = max(31536000 // max(entries, 1), 1)  # seconds between two entries
    if connection.vendor == "postgresql":
        series = "SELECT g AS i FROM generate_series(0, %s - 1) AS g"
        created = f"now() - (((i * {step}) %% 31536000) * interval '1 second')"
    else:
        series = (
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %s) "
            "SELECT i FROM s"
        )
        created = (
            "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', "
            f"'-' || ((i * {step}) %% 31536000) || ' seconds')"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO points_entry
                (account_id, kind, amount, reason, source, idempotency_key, created_at)
            SELECT %s + (i %% %s), 'earn', 1 + (i %% 20), 'bench', '', 'bench:' || i, {created}
            FROM ({series}) AS numbers
            """,
            [first_account, members, entries],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE points_entry")


def run() -> None:
    from django.core.cache import cache
    from django.test import Client

    from deqing_hub import ranking, tasks
    from members import periods
    from points import queries as points_queries

    entries = _env_int("BENCH_RANKING_ENTRIES", 1_000_000)
    members = _env_int("BENCH_RANKING_MEMBERS", 5_000)
    started = time.perf_counter()
    first_account = _setup_people(members)
    _fill_ledger(first_account, members, entries)
    print(
        f"data: {entries:,} ledger entries, {members:,} members, {ORGANISATIONS} organisations "
        f"({time.perf_counter() - started:.1f} s to load, {connection.vendor})"
    )

    this_month = periods.current_month()
    last_month = periods.previous_month(this_month)
    client = Client()

    reference = _median(
        lambda: points_queries.points_earned_by_member(
            *periods.month_bounds(this_month.year, this_month.month)
        ),
        5,
    )
    refresh = _median(lambda: ranking.refresh_member_totals(month=this_month), 3)
    ranking.refresh_member_totals(month=last_month)

    def cold(url: str):
        def get():
            cache.clear()
            assert client.get(url).status_code == 200

        return get

    def warm(url: str):
        def get():
            assert client.get(url).status_code == 200

        return get

    page_cold = _median(cold("/ranking/"), 5)
    page_warm = _median(warm("/ranking/"), 20)

    def after_refresh():
        tasks.refresh_ranking_totals()  # pre-computes the month's payload
        started = time.perf_counter()
        assert client.get("/ranking/").status_code == 200
        return time.perf_counter() - started

    page_refreshed = statistics.median(after_refresh() for _ in range(3))
    close = _median(lambda: ranking.close_month(month=last_month), 1)
    closed_url = f"/ranking/{last_month.year}/{last_month.month}/"
    closed_cold = _median(cold(closed_url), 5)
    closed_warm = _median(warm(closed_url), 20)

    print(f"reference (sum this month's raw ledger, per request): {reference * 1000:8.1f} ms")
    for label, value in [
        ("refresh task (periodic, not per request)", refresh),
        ("close_month (once a month)", close),
        ("GET /ranking/ cold cache", page_cold),
        ("GET /ranking/ after the refresh task", page_refreshed),
        ("GET /ranking/ cached", page_warm),
        ("GET closed month cold cache", closed_cold),
        ("GET closed month cached", closed_warm),
    ]:
        print(f"{label:48s} {value * 1000:8.1f} ms  ratio {value / reference:6.2f}")
