"""A contact's own page: only their organisations, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from rota import actions
from tests.rota.conftest import make_org, make_week


def fill(org, weeks: int) -> None:
    other = make_org()
    for i in range(weeks):
        make_week(org if i % 2 == 0 else other, dt.date(2026, 1, 5) + dt.timedelta(weeks=i))
    future = list(org.duty_weeks.filter(week_start__gt="2026-03-02"))
    theirs = other.duty_weeks.filter(week_start__gt="2026-03-02").first()
    if future and theirs:
        actions.request_swap(from_week=future[0], to_week=theirs, by=org.duty_contact)


@pytest.mark.parametrize("weeks", [4, 40])
def test_query_count_is_fixed(db, client, django_assert_num_queries, weeks, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    org = make_org("晨曦社工")
    fill(org, weeks)
    client.force_login(org.duty_contact)
    client.get(reverse("rota:my_rota"))  # warm the session
    # session read, user, organisations, weeks with reports, swap requests; the session is
    # not written again within the minute (deqing_hub/sessions.py: 8 queries before)
    with django_assert_num_queries(5):
        response = client.get(reverse("rota:my_rota"))
    assert response.status_code == 200


def test_shows_only_own_weeks_and_needs_login(db, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    mine, other = make_org("晨曦社工"), make_org("团县委")
    make_week(mine, dt.date(2026, 3, 9))
    make_week(other, dt.date(2026, 3, 16))
    assert client.get(reverse("rota:my_rota")).status_code == 302
    client.force_login(mine.backup_contact)
    page = client.get(reverse("rota:my_rota")).content.decode()
    assert "晨曦社工" in page and "团县委" not in page
