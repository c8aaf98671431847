"""`make bench`: every page through the real server and every job, as ratios to references
measured in the same run, on a county's worth of data (docs/performance.md).

1. The benchmark database (BENCH_DATABASE_URL, default deqing_bench_scale - never the CI one) is
   created, migrated and filled with `loadscale` unless it already holds this loadscale version
   at this scale, so a rerun skips the minutes of loading.
2. gunicorn (4 sync workers) serves it on the loopback with production settings; wrk measures
   each page against the reference view /_bench/bare/ in interleaved rounds.
3. The jobs run in this process against their calibrations.
4. One JSON file per run in benchmarks/results/, and a table on the terminal.

Settings (environment): BENCH_DATABASE_URL, BENCH_REDIS_URL (a Redis database of its own: the
cold-cache target empties it), BENCH_PORT, BENCH_ROUNDS (5), BENCH_DURATION (seconds per
target and round, 3), BENCH_SETTLE (2), BENCH_SCALE (1), BENCH_JOBS (1; 0 skips the jobs).
Exit status 1 if any answer was not 2xx.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/deqing_bench_scale"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def prepare_database(url: str, scale: float) -> bool:
    """Make sure the database exists; True if it must be (re)loaded. Drops a stale one."""
    import psycopg

    from deqing_hub.scale_meta import META_TABLE, VERSION

    name = _database_name(url)
    with psycopg.connect(_conninfo(_maintenance_url(url)), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        loaded = None
        if exists:
            with psycopg.connect(_conninfo(url)) as db:
                has_meta = db.execute("SELECT to_regclass(%s)", [META_TABLE]).fetchone()
                if has_meta and has_meta[0]:
                    loaded = db.execute(
                        f"SELECT version, scale FROM {META_TABLE} ORDER BY loaded_at DESC LIMIT 1"
                    ).fetchone()
        if loaded and int(loaded[0]) == VERSION and float(loaded[1]) == scale:
            log(f"{name}: loadscale {VERSION} at scale {scale:g} already loaded, kept")
            return False
        if exists:
            log(
                f"{name}: holds {'loadscale ' + str(loaded) if loaded else 'other data'}; recreated"
            )
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def versions() -> dict[str, str]:
    import django
    import psycopg
    import redis as redis_module
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    gunicorn = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
        "redis-py": redis_module.__version__,
        "postgresql": postgres,
        "wrk": (wrk.stdout + wrk.stderr).splitlines()[0] if (wrk.stdout + wrk.stderr) else "",
        "gunicorn": gunicorn.stdout.strip() or gunicorn.stderr.strip(),
        "platform": platform.platform(),
    }


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main() -> int:
    started = time.monotonic()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    ci_database = os.environ.get("DATABASE_URL", "")
    if ci_database and _database_name(ci_database) == _database_name(database_url):
        print(f"BENCH_DATABASE_URL names the DATABASE_URL database ({ci_database}); refusing.")
        return 2
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("make bench needs PostgreSQL: BENCH_DATABASE_URL must be a postgres:// URL.")
        return 2
    port = int(os.environ.get("BENCH_PORT", 8765))
    scale = float(os.environ.get("BENCH_SCALE", 1))
    from benchmarks import web

    os.environ.update(
        web.environment_variables(database_url=database_url, redis_url=redis_url, port=port)
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deqing_hub.settings")
    settings = web.Settings(
        port=port,
        duration=float(os.environ.get("BENCH_DURATION", 3)),
        rounds=int(os.environ.get("BENCH_ROUNDS", 5)),
        settle=float(os.environ.get("BENCH_SETTLE", 2)),
    )
    load_before = os.getloadavg()
    must_load = prepare_database(database_url, scale)

    import django
    from django.core.management import call_command

    django.setup()
    log("migrate")
    call_command("migrate", verbosity=0, interactive=False)
    if must_load:
        log(f"loadscale --scale {scale:g}")
        call_command("loadscale", scale=scale, stdout=sys.stdout)
    load_seconds = time.monotonic() - started
    log("collectstatic (production static files: the manifest the templates read)")
    call_command("collectstatic", verbosity=0, interactive=False)

    from django.db import connection

    from benchmarks import jobs as job_bench
    from benchmarks.summary import table
    from deqing_hub.scale import STAFF_USERNAME, busiest_member_user, loaded_version
    from members.models import User
    from wishes.models import Wish

    staff = User.objects.get(username=STAFF_USERNAME)
    member_id, member_name = busiest_member_user() or (None, "")
    member = User.objects.get(pk=member_id)
    wish_pages = max(1, Wish.objects.public().count() // 12)
    year = dt.date.today().year
    connection.close()  # the server's workers are the ones measured; hold nothing open

    stamp = web.now_stamp()
    RESULTS.mkdir(parents=True, exist_ok=True)
    web_started = time.monotonic()
    run = web.measure(
        settings=settings,
        redis_url=redis_url,
        member=member,
        staff=staff,
        year=year,
        wish_pages=wish_pages,
        log=log,
        results_dir=RESULTS,
    )
    web_seconds = time.monotonic() - web_started
    goals = {t.name: t.goal for t in run.targets if t.name != "bare"}
    from benchmarks.summary import summarise

    summary = summarise(run.rounds, goals)
    job_results = []
    if os.environ.get("BENCH_JOBS", "1") != "0":
        job_results = job_bench.measure(staff, log)
    load_after = os.getloadavg()

    record = {
        "started_utc": stamp,
        "seconds": {
            "total": time.monotonic() - started,
            "prepare_and_load": load_seconds,
            "web": web_seconds,
        },
        "git_commit": git_commit(),
        "versions": versions(),
        "cores": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "settings": {
            "database": _database_name(database_url),
            "loadscale": loaded_version(),
            "loaded_this_run": must_load,
            "wrk": f"-t{settings.threads} -c{settings.connections} -d{settings.duration:g}s",
            "rounds": settings.rounds,
            "settle_seconds": settings.settle,
            "gunicorn_workers": settings.workers,
            "member": member_name,
            "wish_pages": wish_pages,
        },
        "rounds": [
            {
                "order": order,
                "results": {name: r.to_json() for name, r in results.items()},
                "wrk_output": raw,
            }
            for order, results, raw in zip(run.orders, run.rounds, run.raw, strict=True)
        ],
        "medians": {
            t.name: {
                "ratio": t.ratio,
                "p99_ratio": t.p99_ratio,
                "rps": t.rps,
                "p99_ms": t.p99_ms,
                "ratios": t.ratios,
                "p99_ratios": t.p99_ratios,
                "target": t.target,
                "result": t.status,
            }
            for t in summary.targets
        },
        "bare": {"rps": summary.bare_rps, "p99_ms": summary.bare_p99_ms},
        "spread": summary.spread,
        "unstable": summary.unstable,
        "failures": summary.failures,
        "jobs": [
            {
                "name": j.name,
                "seconds": j.seconds,
                "reference": j.reference,
                "reference_seconds": j.reference_seconds,
                "ratio": j.ratio,
                "limit": j.limit,
                "result": j.status,
                "note": j.note,
            }
            for j in job_results
        ],
    }
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    print()
    print(table(summary, job_results))
    for j in job_results:
        if j.note:
            print(f"{j.name}: {j.note}")
    print(
        f"\nload average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{os.cpu_count()} cores; total {time.monotonic() - started:.0f} s "
        f"(preparing and loading {load_seconds:.0f} s, pages {web_seconds:.0f} s)"
    )
    print(f"results: {path.relative_to(ROOT)}")
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
