"""Every score opens the records it counts."""

import datetime as dt

from django.urls import reverse

from deqing_hub import ranking
from tests.ranking.conftest import record

OCTOBER = dt.date(2026, 10, 1)


def test_organisation_breakdown_lists_each_counted_record(client, town):
    chenxi = town["orgs"]["chenxi"]
    html = client.get(reverse("ranking_organisation", args=[2026, 10, chenxi.pk])).content.decode()

    assert "晨曦社工: 19.80" in html
    for day in ("2026年10月13日", "2026年10月14日", "2026年10月15日"):
        assert day in html  # the three service records
    assert "2026年9月30日" not in html  # September's record is not counted
    assert "已提供服务: 3 × 2.00 = 6.00" in html
    assert "获得评价星数: 4 × 0.20 = 0.80" in html
    assert "2026年10月12日" in html  # the duty week


def test_wish_breakdown_links_to_the_public_wish(client, town):
    transport = town["orgs"]["transport"]
    html = client.get(
        reverse("ranking_organisation", args=[2026, 10, transport.pk])
    ).content.decode()
    assert "/wishes/" in html
    assert "已实现心愿: 1 × 3.00 = 3.00" in html
    assert "心愿人已确认的心愿: 2 × 2.00 = 4.00" in html


def test_volunteer_breakdown_lists_the_ledger_entries(
    client, town, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh_member_totals(month=OCTOBER)
    wang = town["members"]["wang"]

    html = client.get(reverse("ranking_volunteer", args=[2026, 10, wang.pk])).content.decode()

    assert "王*明" in html and "王小明" not in html
    assert "2026年10月3日" in html and "2026年10月20日" in html


def test_branch_breakdown_shows_the_division(client, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh_member_totals(month=OCTOBER)
    branch = town["branches"]["b"]

    html = client.get(reverse("ranking_branch", args=[2026, 10, branch.pk])).content.decode()

    assert "16 积分 ÷ 3 名党员 = 人均 5.33" in html
    assert "陈*星" in html and "张*丰" in html


def test_breakdown_is_html_only(client, town):
    youth = town["orgs"]["youth"]
    url = reverse("ranking_organisation", args=[2026, 10, youth.pk])
    assert client.get(f"{url}?format=json").status_code == 404


def test_new_records_show_in_an_open_month_breakdown(
    client, town, django_capture_on_commit_callbacks
):
    youth = town["orgs"]["youth"]
    url = reverse("ranking_organisation", args=[2026, 10, youth.pk])
    assert "2026年10月29日" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        record(youth, dt.date(2026, 10, 29))
        ranking.invalidate_cache()
    assert "2026年10月29日" in client.get(url).content.decode()
