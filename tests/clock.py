"""pytest plugin: run tests with the clock set to a chosen moment (the clock sweep).

`--clock=2027-10-31T23:59:00+08:00` (or PORTAL_TEST_CLOCK in the environment) sends every
test, fixtures included, to that instant with time-machine before it starts. The clock keeps
ticking from there (tick=True), so code that waits for time to pass still works. Every test
starts at the same instant, so each of them sees the awkward moment, not just the first one.

A test that sets its own time (`@time_machine.travel`, `with time_machine.travel(...)` or the
`time_machine` fixture) wins: time-machine keeps a stack of travels and the innermost one
answers. Its fixtures still run at the swept moment, which is what catches a fixture dated
"now" meeting a test body frozen on the day the test was written.

Only Python's clock travels: PostgreSQL's NOW() and Redis's TIME do not. The portal never
reads the database's clock (dates come from django.utils.timezone; auto_now is filled in by
Python), so the swept moment is the only "now" the code sees.

`make test-clock` runs the date-sensitive part of the suite at each of several awkward moments
(Makefile, CLOCK_MOMENTS); without the option nothing here changes a test.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

ENV = "PORTAL_TEST_CLOCK"


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get(ENV, ""),
        metavar="ISO_INSTANT",
        help=(
            "start every test at this instant, e.g. 2027-10-31T23:59:00+08:00 "
            f"(time keeps ticking; a test's own time-machine travel wins). Env: {ENV}."
        ),
    )


def _moment(config) -> dt.datetime | None:
    text = config.getoption("clock")
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise pytest.UsageError(f"--clock/{ENV}: not an ISO 8601 instant: {text!r}") from exc
    if moment.tzinfo is None:
        # A naive instant would be read as UTC by time-machine and as Asia/Shanghai by a reader.
        raise pytest.UsageError(f"--clock/{ENV}: give a UTC offset, e.g. {text}+08:00")
    return moment


def pytest_configure(config) -> None:
    config._portal_clock = _moment(config)


def pytest_report_header(config) -> list[str]:
    moment = config._portal_clock
    if moment is None:
        return []
    from zoneinfo import ZoneInfo

    from django.conf import settings

    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return [
        f"clock: every test starts at {local:%Y-%m-%d %H:%M:%S} {settings.TIME_ZONE} "
        f"({moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, {local:%A}), ticking"
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    moment = item.config._portal_clock
    if moment is None:
        return (yield)
    import time_machine

    # Around setup, call and teardown: fixtures see the same clock as the test body.
    with time_machine.travel(moment, tick=True):
        return (yield)
