"""Cached ranking pages: one worker rebuilds an expired page (no stampede), and the actions
that change the data show on the next request."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.cache import cache

from deqing_hub import dashboard, ranking
from deqing_hub.ranking.cache import cached, store
from rota.models import ExchangeMeeting
from tests.concurrency import run_together

URL = "/ranking/2026/"


class SlowBuild:
    """A page that takes a while to build, counting how often it is built."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
        time.sleep(0.3)
        return self.value


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_cold_page_is_built_once_while_the_other_workers_wait_for_it(clean_cache):
    build = SlowBuild("页面")
    race = run_together(*[lambda: cached("test:cold", build)] * 8)
    assert race.values == ["页面"] * 8
    assert build.calls == 1


def test_an_expiring_page_is_rebuilt_once_while_the_others_serve_it(clean_cache):
    store("test:warm", "旧页面", seconds=-1)  # due for refresh, still stored
    build = SlowBuild("新页面")
    started = time.monotonic()
    race = run_together(*[lambda: cached("test:warm", build)] * 8)
    assert build.calls == 1
    assert sorted(race.values) == ["新页面"] + ["旧页面"] * 7
    assert cached("test:warm", build) == "新页面" and build.calls == 1
    assert time.monotonic() - started < 5


def test_a_page_whose_builder_failed_is_built_again(clean_cache):
    def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cached("test:fail", fail)
    assert cached("test:fail", lambda: "好了") == "好了"  # the lock went with the failure


def test_the_year_page_is_served_from_its_cache(client, closed, django_assert_num_queries):
    cache.clear()
    first = client.get(URL).context["body"]
    assert "晨曦社工" in first
    # A visitor without a session gets the whole page stored for anonymous visitors
    # (members.page_cache): no query at all (the project contest's one query went too).
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert first in again.content.decode()


def test_a_closed_month_shows_on_the_next_request_of_the_year_page(
    client, closed, django_capture_on_commit_callbacks
):
    published = '<li class="month-published">'
    assert client.get(URL).content.decode().count(published) == 2
    assert client.get(URL).content.decode().count(published) == 2  # now from the cache
    with django_capture_on_commit_callbacks(execute=True):  # closing moves the version on
        ranking.close_month(month=dt.date(2026, 8, 1))
    assert client.get(URL).content.decode().count(published) == 3


@pytest.fixture
def closed(town):
    ExchangeMeeting.objects.create(
        year=2026,
        quarter=4,
        held_on=dt.date(2026, 10, 20),
        venue="红盟书吧",
        host=town["orgs"]["chenxi"],
    )
    ranking.close_month(month=dt.date(2026, 9, 1))
    ranking.close_month(month=dt.date(2026, 10, 1))
    return town


def test_the_home_panel_is_cached_and_a_closed_month_shows_on_the_next_request(
    client, town, django_capture_on_commit_callbacks
):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ranking.close_month(month=dt.date(2026, 9, 1))

    def panel() -> dict:
        # The panel is inside the home's cached HTML: the data it was rendered from.
        client.get("/")
        return dashboard.ranking_panel()

    assert panel()["month"] == dt.date(2026, 9, 1)
    assert panel()["month"] == dt.date(2026, 9, 1)  # from the cache
    assert set(panel()["year"]) == {"year", "complete", "months"}  # not 500 organisations
    with django_capture_on_commit_callbacks(execute=True):
        ranking.close_month(month=dt.date(2026, 10, 1))
    assert 'href="/ranking/2026/10/"' in client.get("/").content.decode()
    shown = panel()
    assert shown["month"] == dt.date(2026, 10, 1)
    assert shown["year"]["months"] == ["2026-09", "2026-10"]
    assert [o["name"] for o in shown["month_top"]][:1] == ["团县委"]
