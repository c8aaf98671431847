"""Closing a month: a frozen snapshot with a content hash; late records change nothing."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from deqing_hub import ranking, tasks
from deqing_hub.models import RankingSnapshot, content_hash
from tests.concurrency import run_together
from tests.ranking.conftest import at, award, record

OCTOBER = dt.date(2026, 10, 1)


def test_closing_publishes_a_snapshot_with_a_content_hash(town):
    snapshot, created = ranking.close_month(month=OCTOBER)

    assert created
    assert snapshot.content_hash == content_hash(snapshot.payload)
    assert len(snapshot.content_hash) == 64
    assert snapshot.payload["totals"] == {"volunteers": 4, "points": 46}
    assert snapshot.payload["organisations"][0]["name"] == "团县委"
    assert snapshot.hash_matches()


def test_closing_again_is_a_no_op(town):
    first, _ = ranking.close_month(month=OCTOBER)
    again, created = ranking.close_month(month=OCTOBER)

    assert not created
    assert again.pk == first.pk
    assert again.content_hash == first.content_hash
    assert RankingSnapshot.objects.count() == 1


def test_a_published_snapshot_cannot_be_saved_again(town):
    snapshot, _ = ranking.close_month(month=OCTOBER)
    snapshot.payload = {}
    with pytest.raises(ValidationError):
        snapshot.save()


def test_late_records_do_not_change_a_closed_month(
    client, town, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot, _ = ranking.close_month(month=OCTOBER)
    url = reverse("ranking_month", args=[2026, 10])
    before_json = json.loads(client.get(f"{url}?format=json").content)

    # Late: points back-dated into October, a service delivered in October recorded now,
    # and the periodic refresh running afterwards.
    with django_capture_on_commit_callbacks(execute=True):
        award(town["members"]["zhang"], 40, at(31, hour=9))
        record(town["orgs"]["transport"], dt.date(2026, 10, 30))
        tasks.refresh_ranking_totals()
        ranking.refresh_member_totals(month=OCTOBER)

    after_json = json.loads(client.get(f"{url}?format=json").content)
    assert after_json == before_json
    assert after_json["status"] == "published"
    assert after_json["content_hash"] == snapshot.content_hash
    assert after_json["volunteers"]["points"] == 46
    html = client.get(url).content.decode()
    assert "之后录入的记录不计入本月" in html  # the note on late records
    assert snapshot.content_hash in html
    RankingSnapshot.objects.get(month=OCTOBER).hash_matches()

    # The volunteer breakdown lists only the entries counted at closing.
    breakdown = client.get(
        reverse("ranking_volunteer", args=[2026, 10, town["members"]["zhang"].pk])
    )
    assert breakdown.status_code == 200
    assert ">40<" not in breakdown.content.decode()
    # The organisation breakdown too.
    transport = town["orgs"]["transport"].pk
    page = client.get(reverse("ranking_organisation", args=[2026, 10, transport])).content.decode()
    assert "2026年10月30日" not in page


def test_a_running_month_cannot_be_closed(town):
    with pytest.raises(ValidationError) as exc:
        ranking.close_month(month=dt.date(2026, 11, 1))
    assert exc.value.code == "not_over"
    assert not RankingSnapshot.objects.exists()


def test_command_closes_a_month_and_says_so_twice(town):
    out = io.StringIO()
    call_command("close_month", "2026-10", stdout=out)
    call_command("close_month", "2026-10", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2026-10 published: sha256 ")
    assert lines[1].startswith("2026-10 already published, unchanged")
    assert RankingSnapshot.objects.count() == 1


@pytest.mark.parametrize("arg", ["2026-13", "October", "2026-11", "2030-01", "2015-01"])
def test_command_refuses_bad_months_with_a_message(town, arg):
    with pytest.raises(CommandError):
        call_command("close_month", arg, stdout=io.StringIO())
    assert not RankingSnapshot.objects.exists()


def test_the_task_on_the_first_closes_last_month_once(town):
    first = tasks.close_previous_month()
    second = tasks.close_previous_month()

    assert first == second
    assert RankingSnapshot.objects.get().month == OCTOBER


def test_xlsx_of_a_closed_month_carries_the_hash(client, town):
    snapshot, _ = ranking.close_month(month=OCTOBER)
    response = client.get(reverse("ranking_month", args=[2026, 10]) + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    values = [cell for row in book["月份"].iter_rows(values_only=True) for cell in row]
    assert snapshot.content_hash in values


@pytest.mark.django_db(transaction=True)
def test_two_closers_racing_publish_one_snapshot(postgres, today):
    from tests.ranking.conftest import make_org

    make_org("晨曦社工")
    race = run_together(*[lambda: ranking.close_month(month=OCTOBER)] * 2)

    assert race.errors == []
    results = race.values
    assert RankingSnapshot.objects.count() == 1
    assert sorted(created for _s, created in results) == [False, True]
    assert len({s.content_hash for s, _c in results}) == 1
