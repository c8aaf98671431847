"""Shared fixtures: named personas and guards for the real services.

Tests that need PostgreSQL or Redis use the `postgres` / `redis_url` fixtures: on a developer
machine without them they are skipped; with CI set they fail, so CI can never pass by skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

PASSWORD = "correct horse battery staple 42"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI requires this service: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres(db) -> None:
    """Require the test database to be PostgreSQL (concurrency and locking tests)."""
    if connection.vendor != "postgresql":
        _unavailable(
            "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/deqing_hub"
        )


@pytest.fixture
def redis_url() -> str:
    """Return the configured Redis URL after checking that Redis answers."""
    url = settings.REDIS_URL
    if not url:
        _unavailable("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at REDIS_URL does not answer: {exc}")
    return url


@pytest.fixture
def celery_worker(postgres, tmp_path):
    """Build real Celery workers (tests/celery_workers.py): `celery_worker(broker, queue=None,
    **env)` returns one not yet started; each is stopped and its queue emptied afterwards."""
    from tests.celery_workers import Outputs, Worker

    started: list[Worker] = []

    def build(broker: str, queue: str | None = None, **env: str) -> Worker:
        outputs, log = Outputs(tmp_path), tmp_path / "worker.log"
        worker = Worker(broker=broker, outputs=outputs, log=log, queue=queue, **env)
        started.append(worker)
        return worker

    yield build
    for worker in started:
        worker.stop()
        worker.forget_queue()


def reset_language() -> None:
    """Go back to the portal's language (settings.LANGUAGE_CODE, zh-hans) in this thread."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's language.

    LocaleMiddleware activates the request's language for the thread and nothing deactivates
    it, so a test client request in English would leave later tests of the same process
    (whichever they are under pytest-xdist) rendering mail and messages in English.
    """
    reset_language()
    yield
    reset_language()


# A transactional test ends with `flush`, which empties every table and then sends
# post_migrate (content types, permissions and roles come back that way). The rows the data
# migrations seed would stay missing, so a test would see them or not depending on whether a
# transactional test ran before it in the same process. Seed them again after each flush.
SEED_MIGRATIONS = {
    "services.migrations.0003_seed_six_categories": "seed",
    "deqing_hub.migrations.0002_first_score_formula": "create_first_formula",
}


def _restore_seeded_rows(sender, using, apps=None, **kwargs) -> None:
    from importlib import import_module

    from django.apps import apps as global_apps

    for module, function in SEED_MIGRATIONS.items():
        getattr(import_module(module), function)(apps or global_apps, None)


def pytest_configure(config) -> None:
    from django.apps import apps
    from django.db.models.signals import post_migrate

    # deqing_hub is the last portal app: its post_migrate comes after every table exists.
    post_migrate.connect(
        _restore_seeded_rows,
        sender=apps.get_app_config("deqing_hub"),
        dispatch_uid="tests_restore_seeded_rows",
    )


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Uploaded files go to a temporary folder and each test starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        cache.clear()
    yield


def make_user(*, email: str, phone: str | None = None, staff: bool = False, **extra):
    """A login with this e-mail address (verified) and no mobile unless given."""
    from tests.factories import UserFactory

    return UserFactory(email=email, phone=phone, is_staff=staff, **extra)


@pytest.fixture
def staff(db):
    """Centre staff with every permission."""
    return make_user(email="staff@example.cn", phone="13900000001", staff=True, is_superuser=True)


@pytest.fixture
def member_user(db):
    """A logged-in party member's account (no member record attached)."""
    return make_user(
        email="member@example.cn", phone="13812345678", first_name="小明", last_name="王"
    )


@pytest.fixture
def public_user(db):
    return make_user(email="public@example.cn", phone="13700000003")


def pytest_report_header(config) -> list[str]:
    """Say which database and broker the suite runs on (CI prints this)."""
    db = settings.DATABASES["default"]
    where = db.get("HOST") or db.get("NAME")
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})",
        f"broker/cache: {settings.REDIS_URL or 'none (in-process tasks, local-memory cache)'}",
    ]


# --- Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser) ----
# One Playwright per test session: the sync API allows only one in the main thread, so the
# fixtures live here and every test folder shares them.

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WECHAT_ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
    "NetType/WIFI Language/zh_CN"
)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI requires Debian's chromium (make browser installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A page in a phone-sized WeChat browser, Chinese locale."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        user_agent=WECHAT_ANDROID_UA,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()
