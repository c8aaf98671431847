"""The one month arithmetic: months and years in Asia/Shanghai, whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members import periods
from members.refusals import Refused

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_month_runs_from_midnight_of_the_first_to_midnight_of_the_next_first_in_shanghai():
    start, end = periods.month_bounds(2026, 10)
    assert (start, end) == (
        dt.datetime(2026, 10, 1, tzinfo=SHANGHAI),
        dt.datetime(2026, 11, 1, tzinfo=SHANGHAI),
    )
    # 16:00 UTC on 31 October is already November in Deqing.
    assert dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC) == end


def test_december_ends_with_the_year_and_a_year_has_twelve_months():
    assert periods.month_bounds(2026, 12)[1] == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert periods.year_bounds(2026) == (
        periods.month_bounds(2026, 1)[0],
        periods.month_bounds(2026, 12)[1],
    )


def test_the_month_of_a_moment_is_the_month_in_shanghai():
    late_utc = dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC)  # 01:30 on 1 November in Deqing
    assert periods.month_bounds_at(late_utc) == periods.month_bounds(2026, 11)


def test_next_and_previous_months_cross_the_new_year():
    assert periods.next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert periods.previous_month(dt.date(2027, 1, 15)) == dt.date(2026, 12, 1)
    assert periods.current_month(dt.date(2026, 2, 28)) == dt.date(2026, 2, 1)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_stepping_a_month_forward_and_back_returns_to_its_first_day(day):
    assert periods.previous_month(periods.next_month(day)) == periods.month_start(day)
    assert periods.next_month(day) > day >= periods.month_start(day)


def test_a_month_is_typed_as_yyyy_mm():
    assert periods.parse_month("2026-10") == dt.date(2026, 10, 1)
    for bad in ["2026-13", "October", "2026/10", ""]:
        with pytest.raises(Refused) as refused:
            periods.parse_month(bad)
        assert refused.value.code == "bad_month"
