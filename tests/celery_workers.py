"""Real Celery workers (and a throwaway Redis) for the tests that deliver through a broker.

`celery worker` runs as a subprocess on the test's own PostgreSQL database, the test process's
own Redis db and a queue name of its own, so it never takes another test's tasks. E-mails go to
files and SMS to a folder (`Outputs`), so a test counts what was really sent. Every process
started here is stopped by its process group. Tests get workers from the `celery_worker`
fixture (tests/conftest.py), which stops them and empties their queue afterwards.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_<name>)."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}{password}@{host}:{port}/{s['NAME']}"


def free_port(start: int = 6390) -> int:
    for port in range(start, start + 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port for a throwaway Redis")


class Outputs:
    """Folders where the worker writes e-mails and SMS; counts what was really sent."""

    def __init__(self, base: Path) -> None:
        self.mail = base / "mail"
        self.sms = base / "sms"

    def email_ids(self) -> list[str]:
        ids = []
        for path in sorted(self.mail.glob("*.log")) if self.mail.exists() else []:
            for chunk in path.read_text(encoding="utf-8").split("-" * 79):
                if chunk.strip():
                    ids.append(email.message_from_string(chunk.strip())["Message-ID"])
        return ids

    def sms_keys(self) -> list[str]:
        if not self.sms.exists():
            return []
        return [
            re.search(r"^Key: (.+)$", p.read_text(encoding="utf-8"), re.M).group(1)
            for p in sorted(self.sms.glob("*.txt"))
        ]

    def mails(self) -> list[str]:
        """The text of each mail file (the file backend writes one file per connection)."""
        files = sorted(self.mail.glob("*.log")) if self.mail.exists() else []
        return [p.read_text(encoding="utf-8") for p in files]

    def started_marks(self) -> list[Path]:
        return sorted(self.sms.glob("started-*.mark")) if self.sms.exists() else []


class Worker:
    def __init__(
        self, *, broker: str, outputs: Outputs, log: Path, queue: str | None = None, **env: str
    ) -> None:
        """`queue`: the queue of a worker started before (a restart takes over its messages)."""
        self.broker = broker
        self.queue = queue or f"test-{uuid.uuid4().hex[:8]}"
        self.outputs = outputs
        self.log = log
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "DJANGO_TESTING": "true",
            "DJANGO_DEBUG": "false",
            "EMAIL_URL": f"filemail:///{outputs.mail}",
            "SMS_FILE_PATH": str(outputs.sms),
            "SMS_BACKEND": "members.sms.FileBackend",
            "DJANGO_CONN_MAX_AGE": "0",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    celery,
                    "-A",
                    "deqing_hub",
                    "worker",
                    "-Q",
                    self.queue,
                    "-n",
                    f"{self.queue}@%h",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the worker and its pool children (its own process group) at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def send(self, task: str, *args) -> None:
        """Publish a task by name to this worker's queue (as beat or a web request would)."""
        client = Celery("test-client", broker=self.broker, set_as_current=False)
        client.conf.broker_transport_options = {"socket_connect_timeout": 2}
        try:
            client.send_task(task, args=args, queue=self.queue)
        finally:
            client.close()

    def run_command(self, *args: str) -> subprocess.CompletedProcess:
        """Run a management command with the worker's environment (same DB, broker, outputs)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def forget_queue(self) -> None:
        """Remove what this test left in Redis: its queue and its unacknowledged messages."""
        import redis

        try:
            client = redis.Redis.from_url(self.broker, socket_connect_timeout=1)
            client.delete(self.queue)
            for tag, payload in client.hscan_iter("unacked"):
                if self.queue.encode() in payload:
                    client.hdel("unacked", tag)
                    client.zrem("unacked_index", tag)
        except redis.RedisError:
            pass  # a stopped throwaway Redis holds nothing anyway

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self) -> str:
        return self.log_text()[-4000:]


class ThrowawayRedis:
    """A redis-server of our own on a free loopback port, never the machine's 6379."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/2"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self._answers, timeout=10, what="throwaway Redis to start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False


def wait_for(condition, *, timeout: float, what: str, every: float = 0.2, tick=None):
    """Poll `condition` until it holds; `tick` (a beat's publish, say) runs every two seconds."""
    deadline = time.monotonic() + timeout
    last_tick = 0.0
    while time.monotonic() < deadline:
        if condition():
            return
        if tick and time.monotonic() - last_tick > 2:
            tick()
            last_tick = time.monotonic()
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
