"""With the demo data the dashboard shows the article's figures, and the rankings have content."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from deqing_hub import dashboard
from deqing_hub import demo as ranking_demo
from deqing_hub.models import RankingSnapshot


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())
    # A no-op when seed_demo already runs deqing_hub.demo itself.
    ranking_demo.seed()


def test_dashboard_matches_the_article(seeded, client):
    figures = {f.key: f for f in dashboard.figures()}

    assert figures["enterprises"].value == 769  # 769 enterprises
    assert figures["enterprises"].parts[0].value == 120  # of which 120 GIS
    assert figures["branches"].value == 10
    assert [p.value for p in figures["branches"].parts] == [8, 1, 1]
    assert figures["members"].value == 103
    assert figures["organisations"].value == 49
    assert [p.value for p in figures["organisations"].parts] == [18, 30, 1]
    assert figures["duty-weeks"].value == 34  # 轮值活动 34 批次
    assert figures["services"].value >= 160  # 提供服务 160 余项
    assert figures["wishes"].value >= 1  # bus route 121 at least
    cinema, coffee, souvenirs = (p.value for p in figures["redeemed"].parts)
    assert cinema >= 60  # 60 余张电影票
    assert coffee == 200  # 200 杯咖啡
    assert figures["redeemed"].value == cinema + coffee + souvenirs

    html = client.get("/").content.decode()
    assert "769" in html and "120" in html


def test_demo_ranking_is_idempotent_and_fills_the_pages(seeded, client):
    count = RankingSnapshot.objects.count()
    assert count > 0
    assert ranking_demo.seed() == "0 monthly rankings published"
    assert RankingSnapshot.objects.count() == count

    assert client.get("/ranking/").status_code == 200
    last = RankingSnapshot.objects.order_by("-month").first()
    page = client.get(f"/ranking/{last.month.year}/{last.month.month}/")
    assert page.status_code == 200
    assert last.content_hash in page.content.decode()
    year = client.get(f"/ranking/{last.month.year}/")
    assert year.status_code == 200
    # The home shows the last closed month and a yearly ranking, each with its scorers only
    # (under the clock sweep the demo's records may lie before the published months: no podium
    # then, rather than three ties at 0.00).
    panel = dashboard.covenant_panel()["ranking"]
    scorers = [o for o in last.payload["organisations"] if Decimal(o["score"]) > 0]
    assert panel["month"] == last.month
    # (The panel keeps what it shows of each: rank, name and score.)
    assert panel["month_top"] == [
        {"rank": o["rank"], "name": o["name"], "score": o["score"]} for o in scorers[:3]
    ]
    assert panel["year"]["complete"] or panel["year"]["year"] == last.month.year
    assert all(Decimal(o["score"]) > 0 for o in panel["year_top"])
    assert [o["rank"] for o in panel["year_top"]] == [1, 2, 3][: len(panel["year_top"])]
