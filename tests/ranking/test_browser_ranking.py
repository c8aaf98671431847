"""The ranking page in a phone browser: the trend chart draws under the CSP, print is wired."""

import datetime as dt

import pytest

from deqing_hub import ranking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _async_unsafe(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_trend_chart_draws_without_errors(live_server, town, phone):
    ranking.close_month(month=dt.date(2026, 9, 1))
    ranking.close_month(month=dt.date(2026, 10, 1))

    phone.goto(f"{live_server.url}/ranking/2026/10/")

    phone.wait_for_selector("#ranking-trend canvas, #ranking-trend svg", timeout=10_000)
    assert phone.locator("#ranking-trend").is_visible()
    assert phone.locator("text=团县委").first.is_visible()
    assert phone.locator("[data-print]").count() == 1
    assert phone.js_errors == []
