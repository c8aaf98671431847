"""Points benchmark: redemptions per second under contention, and reconciling a big ledger.

1. Redemptions: BENCH_POINTS_THREADS threads (default 8) redeem the same item at the same
   point (one hot stock row) BENCH_POINTS_REDEMPTIONS times in all (default 400). Reference:
   the same number of redemptions one after another in a single thread.
2. Reconciliation: BENCH_POINTS_ENTRIES ledger entries (default 1,000,000) over 10,000 accounts.
   Reference: one plain scan that counts and sums every entry (the least work that reads them).

Results are printed as absolute figures and as ratios to the references of the same run.
Run: make bench (PostgreSQL through DATABASE_URL) or python -m benchmarks points.
"""

from __future__ import annotations

import os
import threading
import time

from django.db import connection, transaction

ACCOUNTS = 10_000


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _setup_exchange(tag: str, quantity: int):
    from members.models import Branch
    from points import actions
    from points.models import ExchangePoint, Item

    point = ExchangePoint.objects.create(name=f"bench-point-{tag}")
    item = Item.objects.create(name=f"bench-item-{tag}", kind=Item.Kind.COFFEE, price=1)
    actions.restock(point=point, item=item, quantity=quantity, reason="bench")
    branch, _created = Branch.objects.get_or_create(
        name="bench-branch", defaults={"kind": Branch.Kind.CENTRE}
    )
    return branch, point, item


def _funded_members(branch, count: int, points: int, tag: str):
    from members.models import Member
    from points import actions

    members = Member.objects.bulk_create(
        [
            Member(name=f"bench-{tag}-{i}", gender=Member.Gender.MALE, branch=branch)
            for i in range(count)
        ]
    )
    actions.bulk_award(members=members, amount=points, reason="bench", source_prefix=f"bench:{tag}")
    return members


def _redeem_sequentially(total: int) -> float:
    from points import actions

    branch, point, item = _setup_exchange("sequential", total)
    (member,) = _funded_members(branch, 1, total, "sequential")
    started = time.perf_counter()
    for n in range(total):
        actions.redeem(member=member, item=item, point=point, idempotency_key=f"s{n}")
    return total / (time.perf_counter() - started)


def _redeem_concurrently(total: int, threads: int) -> tuple[float, int]:
    from points import actions

    branch, point, item = _setup_exchange("contended", total)
    per_thread = total // threads
    members = _funded_members(branch, threads, per_thread, "contended")
    barrier = threading.Barrier(threads + 1)
    failures: list[str] = []

    def worker(member):
        try:
            barrier.wait()
            for n in range(per_thread):
                actions.redeem(member=member, item=item, point=point, idempotency_key=f"c{n}")
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(m,)) for m in members]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        print(f"  failures: {len(failures)}, first: {failures[0]}")
    return per_thread * threads / elapsed, len(failures)


def _fill_ledger(entries: int) -> None:
    """Insert `entries` earn entries over ACCOUNTS accounts in SQL, then set the balances."""
    from members.models import Branch, Member
    from points.models import Account

    branch, _created = Branch.objects.get_or_create(
        name="bench-branch", defaults={"kind": Branch.Kind.CENTRE}
    )
    members = Member.objects.bulk_create(
        [
            Member(name=f"bench-ledger-{i}", gender=Member.Gender.MALE, branch=branch)
            for i in range(ACCOUNTS)
        ],
        batch_size=2000,
    )
    Account.objects.bulk_create([Account(member=m) for m in members], batch_size=2000)
    first = Account.objects.filter(member=members[0]).values_list("pk", flat=True).get()
    if connection.vendor == "postgresql":
        series = "SELECT g AS i FROM generate_series(0, %s - 1) AS g"
        now = "now()"
    else:
        series = (
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %s) "
            "SELECT i FROM s"
        )
        now = "CURRENT_TIMESTAMP"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO points_entry
                (account_id, kind, amount, reason, source, idempotency_key, created_at)
            SELECT %s + (i %% %s), 'earn', 1 + (i %% 50), 'bench', '', 'bench:' || i, {now}
            FROM ({series}) AS numbers
            """,
            [first, ACCOUNTS, entries],
        )
        cursor.execute(
            """
            UPDATE points_account SET balance = totals.total
            FROM (SELECT account_id, SUM(amount) AS total FROM points_entry GROUP BY account_id)
                AS totals
            WHERE totals.account_id = points_account.id AND points_account.id >= %s
            """,
            [first],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE points_entry; ANALYZE points_account")


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run() -> None:
    from points import reconciliation

    total = _env_int("BENCH_POINTS_REDEMPTIONS", 400)
    threads = _env_int("BENCH_POINTS_THREADS", 8)
    if connection.vendor != "postgresql":
        # The in-memory SQLite test database refuses concurrent writers outright.
        threads = 1
        print("  note: SQLite has no row locks; one thread only. Use PostgreSQL for real figures.")
    sequential = _redeem_sequentially(total)
    contended, failures = _redeem_concurrently(total, threads)
    print(f"  redemptions, 1 thread, no contention: {sequential:8.1f} /s  (reference)")
    print(
        f"  redemptions, {threads} threads, one hot stock row: {contended:8.1f} /s  "
        f"ratio {contended / sequential:.2f}x  failures {failures}"
    )

    entries = _env_int("BENCH_POINTS_ENTRIES", 1_000_000)
    fill = _time(lambda: _fill_ledger(entries))

    def scan():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), SUM(amount) FROM points_entry")
            cursor.fetchone()

    scan()  # warm the cache so both timings read from memory alike
    reference = min(_time(scan) for _ in range(3))
    reconcile = min(_time(reconciliation.find_differences) for _ in range(3))
    counts, differences = reconciliation.find_differences()
    print(f"  ledger filled with {counts['entries']:,} entries in {fill:.1f} s")
    print(f"  plain scan of every entry: {reference * 1000:8.1f} ms  (reference)")
    print(
        f"  reconcile {counts['accounts']:,} accounts / {counts['entries']:,} entries: "
        f"{reconcile * 1000:8.1f} ms  ratio {reconcile / reference:.2f}x  "
        f"differences {len(differences)}"
    )
