"""The periodic tasks: run twice, one effect; the refresh pre-computes the open months."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deqing_hub import ranking, tasks
from deqing_hub.models import MemberMonthTotal, RankingSnapshot
from tests.ranking.conftest import at, award

OCTOBER = dt.date(2026, 10, 1)


def _totals():
    return sorted(MemberMonthTotal.objects.values_list("member_id", "month", "points", "entries"))


def test_refresh_task_twice_writes_the_same_totals(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_ranking_totals()
    first = _totals()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_ranking_totals()

    assert _totals() == first
    # Today is 2026-11-10: October (not closed yet) and November are the open months.
    assert {month for _m, month, _p, _e in first} == {OCTOBER}
    assert ranking.open_months() == [OCTOBER, dt.date(2026, 11, 1)]


def test_refresh_task_leaves_closed_months_alone(town, django_capture_on_commit_callbacks):
    ranking.close_month(month=OCTOBER)
    award(town["members"]["wang"], 9, at(29))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_ranking_totals()

    assert ranking.open_months() == [dt.date(2026, 11, 1)]
    assert MemberMonthTotal.objects.get(member=town["members"]["wang"], month=OCTOBER).points == 15
    assert RankingSnapshot.objects.get().payload["totals"]["points"] == 46


def test_after_the_refresh_no_request_computes_the_ranking(
    client, town, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.refresh_ranking_totals()

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/ranking/2026/10/").status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    # Only the snapshot lookup, the trend and the consenting names (the page no longer counts
    # the named volunteers; JSON and xlsx do).
    assert len(ctx.captured_queries) == 3
    assert "points_entry" not in sql
    assert "services_servicerecord" not in sql


def test_refresh_command_runs_the_task(town):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("refresh_ranking", stdout=out)
    assert out.getvalue().strip() == "4 monthly totals written"
    assert MemberMonthTotal.objects.filter(month=OCTOBER).count() == 4
