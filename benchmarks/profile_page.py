"""Where one page's time goes, on the benchmark database: SQL against Python, the slowest
queries with their EXPLAIN ANALYZE, and the functions that cost most (cProfile).

    python -m benchmarks.profile_page /wishes/?page=2000 [--login member|staff] [--cold]
        [--explain N] [--profile]

The same database and production settings as `make bench` (BENCH_DATABASE_URL, BENCH_REDIS_URL);
requests go through Django's test client in this process (the whole middleware stack, no
server). Each page is requested once to warm it, then timed five times (the median is shown);
--cold empties the cache before each timed request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from contextlib import contextmanager

from benchmarks.__main__ import DEFAULT_DATABASE, DEFAULT_REDIS


@contextmanager
def recording(queries: list[tuple[float, str, object]]):
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql, params))

    with connection.execute_wrapper(wrapper):
        yield


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--login", choices=["member", "staff"], default="")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--explain", type=int, default=2, help="EXPLAIN ANALYZE the N slowest")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    from benchmarks import web

    os.environ.update(
        web.environment_variables(
            database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
            redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
            port=0,
        )
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deqing_hub.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from deqing_hub.scale import STAFF_USERNAME, busiest_member_user
    from members.models import User

    client = Client()
    if args.login == "member":
        member = busiest_member_user()
        assert member is not None
        client.force_login(User.objects.get(pk=member[0]))
    elif args.login == "staff":
        client.force_login(User.objects.get(username=STAFF_USERNAME))

    def fetch():
        response = client.get(args.path, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            raise SystemExit(f"{args.path} answered {response.status_code}")
        return response

    size = len(fetch().content)  # warm: templates compiled, caches filled
    walls, sql_times, counts = [], [], []
    slowest: list[tuple[float, str, object]] = []
    for _ in range(5):
        if args.cold:
            cache.clear()
        queries: list[tuple[float, str, object]] = []
        started = time.perf_counter()
        with recording(queries):
            fetch()
        walls.append(time.perf_counter() - started)
        sql_times.append(sum(q[0] for q in queries))
        counts.append(len(queries))
        slowest = sorted(queries, key=lambda q: -q[0])[: max(args.explain, 5)]
    wall, sql = statistics.median(walls), statistics.median(sql_times)
    print(f"{args.path}: {size / 1024:.0f} KB, {statistics.median(counts)} queries")
    print(
        f"  median of 5: {wall * 1000:.1f} ms in all, {sql * 1000:.1f} ms SQL, "
        f"{(wall - sql) * 1000:.1f} ms Python (views, templates, middleware)"
    )
    for seconds, sql_text, _params in slowest[:5]:
        print(f"  {seconds * 1000:7.1f} ms  {sql_text[:160]}")
    for seconds, sql_text, params in slowest[: args.explain]:
        print(f"\nEXPLAIN ANALYZE of the {seconds * 1000:.1f} ms query:\n{sql_text}\n")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql_text}", params)
            for (line,) in cursor.fetchall():
                print(f"  {line}")
    if args.profile:
        if args.cold:
            cache.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        fetch()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
