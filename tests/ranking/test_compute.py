"""The October 2026 ranking of the `town` fixture, recomputed by hand and compared."""

import datetime as dt
from decimal import Decimal

from deqing_hub import ranking
from deqing_hub.models import MemberMonthTotal

OCTOBER = dt.date(2026, 10, 1)


def test_month_totals_count_only_earned_points_of_the_month(town):
    ranking.refresh_member_totals(month=OCTOBER)

    totals = {
        t.member.name: (t.points, t.entries)
        for t in MemberMonthTotal.objects.filter(month=OCTOBER).select_related("member")
    }
    # Chen's September award and staff adjustment are not October's earned points.
    assert totals == {"王小明": (15, 2), "李四海": (15, 1), "张三丰": (8, 1), "陈七星": (8, 1)}


def test_refreshing_twice_writes_the_same_totals(town):
    ranking.refresh_member_totals(month=OCTOBER)
    first = list(MemberMonthTotal.objects.values_list("member_id", "points", "entries"))
    ranking.refresh_member_totals(month=OCTOBER)
    assert list(MemberMonthTotal.objects.values_list("member_id", "points", "entries")) == first


def test_volunteers_rank_by_points_then_entries_then_pinyin(town):
    ranking.refresh_member_totals(month=OCTOBER)
    payload = ranking.compute_month(OCTOBER)

    m = town["members"]
    # Wang and Li tie on 15: Wang earned on two occasions. Chen and Zhang tie on 8 with one
    # entry each: chen before zhang in pinyin (in code-point order 张 would come first).
    assert [(v["member_id"], v["points"], v["rank"]) for v in payload["volunteers"]] == [
        (m["wang"].pk, 15, 1),
        (m["li"].pk, 15, 2),
        (m["chen"].pk, 8, 3),
        (m["zhang"].pk, 8, 4),
    ]
    assert payload["totals"] == {"volunteers": 4, "points": 46}


def test_branches_rank_by_points_per_active_member(town):
    ranking.refresh_member_totals(month=OCTOBER)
    payload = ranking.compute_month(OCTOBER)

    # A: 15 + 15 over 2 members = 15.00. B: 8 + 8 over 3 active members (钱八 earned nothing,
    # 孙九 is inactive) = 5.33.
    assert [
        (b["name"], b["members"], b["points"], b["per_member"], b["rank"])
        for b in payload["branches"]
    ] == [
        ("甲支部", 2, 30, "15.00", 1),
        ("乙支部", 3, 16, "5.33", 2),
    ]


def test_organisations_scored_by_the_published_formula(town):
    payload = ranking.compute_month(OCTOBER)

    rows = {o["name"]: o for o in payload["organisations"]}
    # 团县委: duty week 10 + report 5 + 2 services × 2 + 5 stars × 0.2 = 20.00
    # 晨曦社工: duty week 10 + 3 services × 2 + 1 activity × 3 + 4 stars × 0.2 = 19.80
    # 县运管局: missed week 0 + 1 wish fulfilled × 3 + 2 confirmed in October × 2 = 7.00
    # 李家协会, 张家协会: 0 (September's duty week does not count); tie -> pinyin li < zhang.
    assert [(o["name"], o["score"], o["rank"]) for o in payload["organisations"]] == [
        ("团县委", "20.00", 1),
        ("晨曦社工", "19.80", 2),
        ("县运管局", "7.00", 3),
        ("李家协会", "0.00", 4),
        ("张家协会", "0.00", 5),
    ]
    counts = {k: c["count"] for k, c in rows["晨曦社工"]["components"].items()}
    assert counts == {
        "duty_week": 1,
        "duty_report": 0,
        "service_record": 3,
        "wish_fulfilled": 0,
        "wish_confirmed": 0,
        "activity": 1,
        "rating_star": 4,
    }
    youth = rows["团县委"]["components"]
    assert sum(Decimal(c["points"]) for c in youth.values()) == Decimal("20.00")
    assert "停用协会" not in rows


def test_ties_on_score_are_broken_by_services_before_pinyin(town):
    # Give 张家协会 one service (2 points) and 李家协会 an activity worth... 2 points too.
    from deqing_hub.models import ScoreFormula
    from tests.ranking.conftest import activity, at, record

    ScoreFormula.objects.filter(effective_from=dt.date(2016, 10, 1)).update(activity=Decimal("2"))
    record(town["orgs"]["zhangjia"], dt.date(2026, 10, 20))
    activity(town["orgs"]["lijia"], at(21))

    payload = ranking.compute_month(OCTOBER)

    names = [o["name"] for o in payload["organisations"]]
    # Both score 2.00; 张家协会 delivered a service, so it ranks first despite pinyin.
    assert names.index("张家协会") < names.index("李家协会")
