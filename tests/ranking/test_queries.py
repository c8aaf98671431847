"""The apps' read queries the ranking is built from: months in Asia/Shanghai, one query each.

A record at 23:59 on the last day of a month (Shanghai) belongs to that month, one at 00:00 on
the 1st to the next, although both fall on the same UTC day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import queries as members_queries
from members.models import Branch
from members.periods import month_bounds
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries
from tests.ranking.conftest import (
    SHANGHAI,
    activity,
    award,
    granted_wish,
    make_member,
    make_org,
    rated_request,
)
from wishes import queries as wishes_queries

LAST_MINUTE = dt.datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI)
NEXT_MONTH = dt.datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)


def _one_query(call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    assert len(ctx.captured_queries) == 1
    return result


@pytest.fixture
def edges(town):
    """Records of 李家协会 and 王小明 on both sides of the end of October (Shanghai)."""
    lijia, wisher = town["orgs"]["lijia"], town["wisher"]
    wang = town["members"]["wang"]
    return {
        "lijia": lijia,
        "wang": wang,
        "in": {
            "entry": award(wang, 3, LAST_MINUTE),
            "activity": activity(lijia, LAST_MINUTE),
            "request": rated_request(lijia, 3, LAST_MINUTE, wisher),
            "wish": granted_wish(
                lijia, fulfilled=LAST_MINUTE, confirmed=LAST_MINUTE, wisher=wisher
            ),
        },
        "out": {
            "entry": award(wang, 4, NEXT_MONTH),
            "activity": activity(lijia, NEXT_MONTH),
            "request": rated_request(lijia, 2, NEXT_MONTH, wisher),
            "wish": granted_wish(lijia, fulfilled=NEXT_MONTH, confirmed=NEXT_MONTH, wisher=wisher),
        },
    }


def test_earned_in_month_sums_points_and_entries_per_member(edges, town):
    rows = _one_query(lambda: points_queries.earned_between(*month_bounds(2026, 10)))

    by_member = {row["member_id"]: (row["points"], row["entries"]) for row in rows}
    # 王小明: 10 + 5 in October (conftest) + 3 at 23:59 on the 31st; not the 4 of 1 November.
    assert by_member[edges["wang"].pk] == (18, 3)
    # 陈七星's staff adjustment of 100 is not earned; his 50 of September is another month.
    assert by_member[town["members"]["chen"].pk] == (8, 1)
    assert points_queries.earned_between(*month_bounds(2026, 11)) == [
        {"member_id": edges["wang"].pk, "points": 4, "entries": 1}
    ]
    assert points_queries.earned_between(*month_bounds(2026, 12)) == []


def test_last_entry_id_is_the_newest_ledger_entry(edges, db):
    assert _one_query(points_queries.last_entry_id) == edges["out"]["entry"].pk


def test_last_entry_id_of_an_empty_ledger_is_zero(db):
    assert points_queries.last_entry_id() == 0


def test_activity_ids_count_published_activities_starting_in_the_month(edges, town):
    found = _one_query(
        lambda: services_queries.activity_ids_by_organisation(*month_bounds(2026, 10))
    )

    lijia, chenxi = edges["lijia"], town["orgs"]["chenxi"]
    assert found[lijia.pk] == [edges["in"]["activity"].pk]
    assert len(found[chenxi.pk]) == 1  # its unpublished activity does not count
    assert services_queries.activity_ids_by_organisation(*month_bounds(2026, 11)) == {
        lijia.pk: [edges["out"]["activity"].pk]
    }


def test_ratings_by_organisation_give_each_request_and_its_stars(edges, town):
    found = _one_query(lambda: services_queries.ratings_by_organisation(*month_bounds(2026, 10)))

    assert found[edges["lijia"].pk] == [(edges["in"]["request"].pk, 3)]
    assert [stars for _pk, stars in found[town["orgs"]["youth"].pk]] == [5]
    assert services_queries.ratings_by_organisation(*month_bounds(2026, 11)) == {
        edges["lijia"].pk: [(edges["out"]["request"].pk, 2)]
    }


def test_wish_ids_by_organisation_follow_fulfilment_and_confirmation(edges, town):
    transport = town["orgs"]["transport"]
    fulfilled = _one_query(
        lambda: wishes_queries.fulfilled_wish_ids_by_organisation(*month_bounds(2026, 10))
    )
    confirmed = _one_query(
        lambda: wishes_queries.confirmed_wish_ids_by_organisation(*month_bounds(2026, 10))
    )

    assert fulfilled[edges["lijia"].pk] == [edges["in"]["wish"].pk]
    assert confirmed[edges["lijia"].pk] == [edges["in"]["wish"].pk]
    # 县运管局: one wish fulfilled in October, and one fulfilled in September but confirmed
    # in October (conftest).
    assert len(fulfilled[transport.pk]) == 1
    assert len(confirmed[transport.pk]) == 2
    assert wishes_queries.fulfilled_wish_ids_by_organisation(*month_bounds(2026, 11)) == {
        edges["lijia"].pk: [edges["out"]["wish"].pk]
    }


def test_a_released_claim_grants_nothing(town):
    org, wisher = make_org("退出协会"), town["wisher"]
    wish = granted_wish(org, fulfilled=LAST_MINUTE, confirmed=None, wisher=wisher)
    wish.claims.update(released_at=LAST_MINUTE, release_reason="人手不足")

    assert org.pk not in wishes_queries.fulfilled_wish_ids_by_organisation(*month_bounds(2026, 10))


def test_item_kind_labels_name_every_kind_in_chinese(db):
    labels = points_queries.item_kind_labels()
    assert set(labels) >= {"cinema_ticket", "coffee"}
    assert all(str(label) and not str(label).isascii() for label in labels.values())


def test_members_without_points_are_absent(town):
    quiet = make_member("赵静", town["branches"]["a"], consent=True)
    assert quiet.pk not in {
        row["member_id"] for row in points_queries.earned_between(*month_bounds(2026, 10))
    }


def test_earned_entries_list_a_members_month_up_to_the_closing_entry(edges, town):
    wang = edges["wang"]
    entries = _one_query(lambda: points_queries.earned_entries(wang.pk, *month_bounds(2026, 10)))

    # Oldest first; 23:59 on the 31st (Shanghai) is October, 00:00 on 1 November is not.
    assert [entry.amount for entry in entries] == [10, 5, 3]
    assert entries[-1].pk == edges["in"]["entry"].pk
    # A closed month lists only what it counted: entries up to its last entry id.
    first = entries[0].pk
    up_to_first = points_queries.earned_entries(
        wang.pk, *month_bounds(2026, 10), up_to_entry_id=first
    )
    assert [entry.pk for entry in up_to_first] == [first]
    # 陈七星's staff adjustment is not earned.
    chen = town["members"]["chen"]
    assert [e.amount for e in points_queries.earned_entries(chen.pk, *month_bounds(2026, 10))] == [
        8
    ]


def test_consenting_names_are_those_on_the_roll_who_agreed(town):
    members = town["members"]
    retired = make_member("孙十", town["branches"]["a"], consent=True, active=False)
    ids = [m.pk for m in members.values()] + [retired.pk]

    names = _one_query(lambda: members_queries.consenting_names(ids))

    assert names == {
        members["wang"].pk: "王小明",
        members["zhang"].pk: "张三丰",
        members["chen"].pk: "陈七星",
    }
    assert members_queries.consenting_name(members["wang"].pk) == "王小明"
    assert members_queries.consenting_name(members["li"].pk) is None  # no consent
    assert members_queries.consenting_name(retired.pk) is None  # off the roll


def test_consenting_names_of_nobody_cost_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert members_queries.consenting_names([]) == {}


def test_branch_sizes_count_members_on_the_roll_only(town):
    rows = _one_query(members_queries.branches_with_active_members)

    # 乙支部: 张三丰, 陈七星, 钱八; 孙九 is off the roll.
    assert {row.name: row.active_members for row in rows} == {"甲支部": 2, "乙支部": 3}
    assert {row.name: row.kind for row in rows} == {"甲支部": "standalone", "乙支部": "joint"}


def test_branches_by_kind_name_every_kind(town):
    rows = _one_query(members_queries.branches_by_kind)

    assert [(row.kind, row.count) for row in rows] == [
        ("standalone", 1),
        ("joint", 1),
        ("centre", 0),
    ]
    assert all(not str(row.label).isascii() for row in rows)  # labels in Chinese


def test_first_records_date_the_demo_rankings(town):
    # September 2026 holds the town's earliest week, record and ledger entry (conftest).
    assert rota_queries.first_duty_week_start() == dt.date(2026, 9, 28)
    assert services_queries.first_delivery_date() == dt.date(2026, 9, 30)
    assert points_queries.first_entry_date() == dt.date(2026, 9, 28)


def test_the_first_entry_is_dated_in_shanghai(db):
    # 00:00 on 1 November in Shanghai is still 31 October in UTC.
    member = make_member("王小明", Branch.objects.create(name="甲支部"), consent=True)
    award(member, 3, NEXT_MONTH)
    assert points_queries.first_entry_date() == dt.date(2026, 11, 1)


def test_first_records_of_an_empty_town_are_none(db):
    assert rota_queries.first_duty_week_start() is None
    assert services_queries.first_delivery_date() is None
    assert points_queries.first_entry_date() is None


def test_breakdown_records_come_with_what_the_page_shows(town, django_assert_num_queries):
    youth = town["orgs"]["youth"]
    week_ids = list(youth.duty_weeks.values_list("pk", flat=True))
    record_ids = list(youth.service_records.values_list("pk", flat=True))

    with django_assert_num_queries(2):
        weeks = rota_queries.duty_weeks_with_ids(week_ids)
        records = services_queries.service_records_with_ids(record_ids)
        # The report and the service are loaded with the rows: no query per row.
        assert [bool(week.report) for week in weeks.values()] == [True]
        assert all(record.service.title for record in records)
    assert {r.delivered_on for r in records} == {dt.date(2026, 10, 6), dt.date(2026, 10, 7)}
