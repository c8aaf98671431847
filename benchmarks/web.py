"""The pages, through the real server: gunicorn (4 sync workers) on production settings, wrk.

Each round measures every target once with `wrk -t2 -c16`, the reference view included; the
order is reversed every other round and the server settles between targets. Needs Django set
up on the benchmark database (benchmarks/__main__.py does it) for the sessions and page counts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.summary import BARE, WrkResult, parse_wrk, round_order

ROOT = Path(__file__).resolve().parent.parent

# Sessions per logged-in target: each connection uses several, as many users would. One shared
# session would make every request rewrite the same row (SESSION_SAVE_EVERY_REQUEST).
SESSIONS = 32
# Seconds the cold-cache target runs at least (see measure()).
COLD_MINIMUM = 10.0
# Seconds a target runs again when it answered fewer requests than it has connections.
SLOW_WINDOW = 20.0


@dataclass
class Target:
    name: str
    path: str
    # The ratio to the reference the issue asks for (None: measured, no target).
    goal: float | None
    login: str = ""  # "member" or "staff"
    cold: bool = False  # the cache is emptied before, and kept empty during, the target
    random_page: int = 0  # /wishes/?page=N with N random in 1..random_page


def targets(*, year: int, wish_pages: int) -> list[Target]:
    """Every page the issue lists, and the pages added since (covenant, projects, workspace)."""
    return [
        Target(BARE, "/_bench/bare/", None),
        Target("home /", "/", 0.3),
        Target("/ranking/ (warm)", "/ranking/", 0.5),
        Target("/ranking/ (cold)", "/ranking/", 0.1, cold=True),
        Target(f"/ranking/{year}/", f"/ranking/{year}/", 0.1),
        Target("/ranking/?format=json", "/ranking/?format=json", None),
        Target("/wishes/?page=N", "/wishes/", 0.1, random_page=wish_pages),
        Target("/services/", "/services/", 0.1),
        Target("/activities/", "/activities/", 0.1),
        Target("/rota/", "/rota/", 0.1),
        Target("/covenant/", "/covenant/", 0.1),
        Target("/projects/", "/projects/", 0.1),
        Target("/points/ (member)", "/points/", 0.1, login="member"),
        Target("/me/ (member)", "/me/", 0.1, login="member"),
        Target("/admin/members/member/", "/admin/members/member/", 0.05, login="staff"),
        Target("/admin/ (staff workspace)", "/admin/", 0.05, login="staff"),
    ]


LUA = r"""
-- Written by benchmarks/web.py. Counts every HTTP status (wrk itself counts only >= 400)
-- and prints one JSON line with wrk's own figures in microseconds.
local threads = {}
local cookies = {COOKIES}
local max_page = {MAX_PAGE}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  counter = 0
  math.randomseed(20 + id)
end

{REQUEST}

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
    .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
    .. '"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
"""

REQUEST = r"""
function request()
  counter = counter + 1
  local path = "{PATH}"
  if max_page > 0 then path = path .. "?page=" .. math.random(1, max_page) end
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(counter * 7 + id) % #cookies + 1] end
  return wrk.format("GET", path, headers)
end
"""


def lua_script(target: Target, cookies: list[str]) -> str:
    needs_request = bool(cookies or target.random_page)
    request = REQUEST.replace("{PATH}", target.path) if needs_request else ""
    quoted = ", ".join(json.dumps(c) for c in cookies)
    return (
        LUA.replace("{COOKIES}", "{" + quoted + "}")
        .replace("{MAX_PAGE}", str(target.random_page))
        .replace("{REQUEST}", request)
    )


@dataclass
class Settings:
    port: int
    duration: float
    rounds: int
    settle: float
    connections: int = 16
    threads: int = 2
    workers: int = 4
    timeout: int = 30


@dataclass
class Server:
    """gunicorn on the loopback, with the same environment as this process."""

    port: int
    workers: int
    timeout: int
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "deqing_hub.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            str(self.timeout),
            "--error-logfile",
            str(self.log),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                if get(self.url("/_bench/bare/")) == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /_bench/bare/ within 60 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def get(url: str, cookie: str = "") -> int:
    """Status of one GET, redirects not followed (a redirect to the login page is a failure)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def session_cookies(user, count: int) -> list[str]:
    """`count` fresh sessions of `user`, as Cookie header values."""
    from django.conf import settings
    from django.test import Client

    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


class CacheEmptier:
    """Empties the benchmark's Redis database before and all through a cold target."""

    def __init__(self, redis_url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(redis_url)
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> CacheEmptier:
        self.redis.flushdb()
        self.stop_event.clear()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def _loop(self) -> None:
        # Every 10 ms: a cold page takes hundreds, so nearly every request finds the cache empty.
        while not self.stop_event.wait(0.01):
            self.redis.flushdb()

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        if self.thread:
            self.thread.join()


@dataclass
class WebRun:
    targets: list[Target]
    rounds: list[dict[str, WrkResult]] = field(default_factory=list)
    orders: list[list[str]] = field(default_factory=list)
    raw: list[dict[str, str]] = field(default_factory=list)


def run_wrk(url: str, script: Path, settings: Settings, duration: float) -> str:
    command = [
        "wrk",
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={settings.timeout}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    return done.stdout


def measure(
    *,
    settings: Settings,
    redis_url: str,
    member,
    staff,
    year: int,
    wish_pages: int,
    log: Callable[[str], None],
    results_dir: Path,
) -> WebRun:
    cookies = {
        "member": session_cookies(member, SESSIONS),
        "staff": session_cookies(staff, SESSIONS),
        "": [],
    }
    all_targets = targets(year=year, wish_pages=wish_pages)
    run = WebRun(targets=all_targets)
    server = Server(settings.port, settings.workers, settings.timeout, results_dir / "gunicorn.log")
    with tempfile.TemporaryDirectory() as scripts_dir:
        scripts = {}
        for t in all_targets:
            path = Path(scripts_dir) / f"{len(scripts)}.lua"
            path.write_text(lua_script(t, cookies[t.login]))
            scripts[t.name] = path
        by_name = {t.name: t for t in all_targets}
        server.start()
        emptier = CacheEmptier(redis_url)
        try:
            # Every page through every worker before the first round (one request per worker,
            # at once): imports, template compilation and the first cache fill are not measured.
            log(f"warming up {len(all_targets)} targets ({settings.workers} requests each)")
            for t in all_targets:
                first = warming_path(t)
                cookie = cookies[t.login][0] if t.login else ""
                urls = [server.url(first)] * settings.workers
                with ThreadPoolExecutor(settings.workers) as pool:
                    statuses = list(pool.map(get, urls, [cookie] * settings.workers))
                if any(status != 200 for status in statuses):
                    raise RuntimeError(f"{t.name}: {first} answered {statuses}, not 200")
            for index in range(settings.rounds):
                order = round_order([t.name for t in all_targets], index)
                run.orders.append(order)
                results: dict[str, WrkResult] = {}
                raw: dict[str, str] = {}
                started = time.monotonic()
                for name in order:
                    t = by_name[name]
                    if not t.cold:
                        # Warm what the cold target (or a cache expiry) emptied: one request.
                        first = warming_path(t)
                        get(server.url(first), cookies[t.login][0] if t.login else "")
                        time.sleep(settings.settle)
                        output = run_wrk(
                            server.url(t.path), scripts[name], settings, settings.duration
                        )
                    else:
                        with emptier:
                            time.sleep(settings.settle)
                            # A cold page takes seconds on a busy machine, and 16 connections
                            # queue on 4 workers: a short run would see no answer at all.
                            output = run_wrk(
                                server.url(t.path),
                                scripts[name],
                                settings,
                                max(settings.duration, COLD_MINIMUM),
                            )
                    result = parse_wrk(output)
                    if result.requests < settings.connections and not result.bad_answers:
                        # Fewer answers than connections: the page is slower than the window
                        # (wrk drops requests still in flight), so its figures would be noise
                        # or nothing. Measure it again over a window long enough for it.
                        log(f"  {name}: {result.requests} answers in the window; again for longer")
                        if not t.cold:
                            get(server.url(t.path), cookies[t.login][0] if t.login else "")
                        with emptier if t.cold else contextlib.nullcontext():
                            output = run_wrk(
                                server.url(t.path), scripts[name], settings, SLOW_WINDOW
                            )
                        result = parse_wrk(output)
                    raw[name] = output
                    results[name] = result
                run.rounds.append(results)
                run.raw.append(raw)
                bare = results[BARE]
                log(
                    f"round {index + 1}/{settings.rounds} in {time.monotonic() - started:.0f} s: "
                    f"bare {bare.rps:.0f} req/s, p99 {bare.p99_ms:.1f} ms"
                )
        finally:
            server.stop()
    return run


def warming_path(t: Target) -> str:
    """The request that warms a target before its window. For the wall, its last page: a deep
    page finds the anchors every deep page starts from (kept under the wall's version), which
    the cold target's emptying of Redis threw away; page 1 never needs them, so warming with it
    left the first deep page of the window to find them (one 100-200 ms scan) while the rest
    of the window queued behind it. What a wall whose anchors a visitor already found serves."""
    return f"{t.path}?page={t.random_page}" if t.random_page else t.path


def now_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def environment_variables(*, database_url: str, redis_url: str, port: int) -> dict[str, str]:
    """Production settings for the server and this process: DEBUG off, persistent connections,
    the Redis cache, plain HTTP on the loopback (no TLS redirect), the reference view routed."""
    from cryptography.fernet import Fernet

    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_TESTING": "false",
        "DJANGO_BENCH": "true",
        "DJANGO_SECRET_KEY": os.urandom(32).hex(),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "BENCH_PORT": str(port),
    }
