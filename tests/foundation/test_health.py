"""`/healthz/` reports database and broker; 200 only when every configured part answers."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers_and_no_broker_is_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "up"
    assert body["broker"]["status"] == "not configured"


@pytest.mark.django_db
def test_health_is_ok_with_the_real_redis(client, redis_url):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["broker"] == {"status": "up"}


@pytest.mark.django_db
def test_health_is_503_when_the_broker_is_down(client, settings):
    # Nothing listens on this port: a real refused connection, not a mock.
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["broker"]["status"] == "down"
    assert response.json()["database"]["status"] == "up"
    assert time.monotonic() - started < 5, "a dead broker must not hang the health check"


def _serve(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "deqing_hub.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        # Nobody reads the server's output: a pipe would stay open (and could fill up).
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _get(url: str, attempts: int = 60) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.25)
    raise AssertionError(f"server at {url} never answered")


@pytest.fixture
def base_env(tmp_path):
    import os

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update({"DJANGO_TESTING": "true", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"})
    return env


def test_health_is_503_when_the_database_is_down(base_env):
    # A real server whose PostgreSQL does not answer (nothing listens on that port).
    port = free_port()
    base_env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    server = _serve(base_env, port)
    try:
        status, body = _get(f"http://127.0.0.1:{port}/healthz/")
    finally:
        server.terminate()
        server.wait(10)
    assert status == 503
    assert b'"database": {"status": "down"' in body


def test_pages_still_render_when_redis_is_unreachable_at_start_up(base_env, tmp_path):
    port = free_port()
    base_env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    base_env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=base_env,
        check=True,
        capture_output=True,
    )
    server = _serve(base_env, port)
    try:
        home_status, _ = _get(f"http://127.0.0.1:{port}/")
        login_status, _ = _get(f"http://127.0.0.1:{port}/accounts/login/")
        health_status, health = _get(f"http://127.0.0.1:{port}/healthz/")
    finally:
        server.terminate()
        server.wait(10)
    assert home_status == 200
    assert login_status == 200
    assert health_status == 503
    assert b'"broker": {"status": "down"' in health
