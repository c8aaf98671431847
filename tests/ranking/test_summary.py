"""The month page's summary, stored with the snapshot by close_month: what the page shows."""

import datetime as dt
import importlib
import json

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deqing_hub import ranking
from deqing_hub.models import RankingSnapshot
from members.models import Member

AUGUST, SEPTEMBER, OCTOBER = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def _stored(month: dt.date) -> dict:
    return RankingSnapshot.objects.get(month=month).summary


def _from_the_whole_snapshot(month: dt.date) -> dict:
    """The summary made afresh from the month's full payload and the trend query (as JSON)."""
    payload = RankingSnapshot.objects.get(month=month).payload
    return json.loads(json.dumps(ranking.summarise(payload, ranking.organisation_trend(month))))


def test_the_stored_summary_is_what_the_whole_snapshot_gives(town):
    for month in (AUGUST, SEPTEMBER, OCTOBER):
        ranking.close_month(month=month)

    for month in (AUGUST, SEPTEMBER, OCTOBER):
        assert _stored(month) == _from_the_whole_snapshot(month)
    october = _stored(OCTOBER)
    members, orgs = town["members"], town["orgs"]
    # 王小明 and 李四海 have 15 points each (more entries first); 陈七星 and 张三丰 8 each
    # (one entry each: pinyin order). Branch names come with the rows.
    assert [(v["rank"], v["member_id"], v["branch"]) for v in october["volunteers"]] == [
        (1, members["wang"].pk, "甲支部"),
        (2, members["li"].pk, "甲支部"),
        (3, members["chen"].pk, "乙支部"),
        (4, members["zhang"].pk, "乙支部"),
    ]
    assert october["totals"] == {"volunteers": 4, "points": 46}
    # 李家协会 and 张家协会 tie at 0: pinyin order, as in the payload.
    assert [o["id"] for o in october["organisations"]][-2:] == [
        orgs["lijia"].pk,
        orgs["zhangjia"].pk,
    ]
    assert october["organisations"][0]["counts"]["service_record"] == 2
    assert "ids" not in json.dumps(october["organisations"])
    assert (october["organisation_count"], october["branch_count"]) == (5, 2)
    assert october["trend"]["months"] == ["2026-08", "2026-09", "2026-10"]
    assert october["trend"]["series"][0]["name"] == "团县委"


def test_an_empty_month_has_an_empty_summary_of_zeros(town):
    ranking.close_month(month=AUGUST)

    august = _stored(AUGUST)
    assert august["volunteers"] == []
    assert august["totals"] == {"volunteers": 0, "points": 0}
    assert {o["score"] for o in august["organisations"]} == {"0.00"}
    assert august["organisation_count"] == 5
    assert august == _from_the_whole_snapshot(AUGUST)


def test_the_summary_keeps_the_first_rows_and_counts_them_all(town):
    ranking.close_month(month=OCTOBER)
    payload = RankingSnapshot.objects.get(month=OCTOBER).payload

    cut = ranking.summarise(payload, {"months": [], "series": []}, rows=2, volunteers=1)
    assert [o["id"] for o in cut["organisations"]] == [
        o["id"] for o in payload["organisations"][:2]
    ]
    assert (cut["organisation_count"], cut["branch_count"]) == (5, 2)
    assert len(cut["branches"]) == 2
    assert [v["member_id"] for v in cut["volunteers"]] == [town["members"]["wang"].pk]


def test_closing_again_leaves_the_summary_as_it_was(town):
    first, created = ranking.close_month(month=OCTOBER)
    stored = _stored(OCTOBER)
    _again, created_again = ranking.close_month(month=OCTOBER)

    assert (created, created_again) == (True, False)
    assert _stored(OCTOBER) == stored == json.loads(json.dumps(first.summary))


def test_closing_an_earlier_month_later_redraws_the_later_months_trend(town):
    ranking.close_month(month=OCTOBER)
    assert _stored(OCTOBER)["trend"]["months"] == ["2026-10"]

    ranking.close_month(month=SEPTEMBER)

    assert _stored(OCTOBER)["trend"]["months"] == ["2026-09", "2026-10"]
    assert _stored(OCTOBER) == _from_the_whole_snapshot(OCTOBER)


def test_the_closed_month_page_reads_only_the_summary_and_the_names(client, town):
    ranking.close_month(month=SEPTEMBER)
    ranking.close_month(month=OCTOBER)
    # A consent withdrawn after closing still hides the name (names are applied per request).
    Member.objects.filter(pk=town["members"]["zhang"].pk).update(ranking_consent=False)
    cache.clear()

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("ranking_month", args=[2026, 10]))

    assert response.status_code == 200
    # The summary's stamp, the summary, the names (a worker's first page of the month).
    assert len(ctx.captured_queries) == 3
    assert not any("payload" in q["sql"] for q in ctx.captured_queries)
    html = response.content.decode()
    for text in ("团县委", "王*明", "陈*星", "甲支部", "已发布", "ranking-trend-data"):
        assert text in html
    assert "张*丰" not in html
    assert "2026-09" in html  # the trend's months


def test_the_data_migration_summarises_the_months_closed_before_it(town):
    for month in (AUGUST, SEPTEMBER, OCTOBER):
        ranking.close_month(month=month)
    at_close = {month: _stored(month) for month in (AUGUST, SEPTEMBER, OCTOBER)}
    RankingSnapshot.objects.update(summary={})

    migration = importlib.import_module("deqing_hub.migrations.0006_ranking_page_summary")
    migration.summarise_closed_months(apps, None)

    assert {month: _stored(month) for month in at_close} == at_close
