"""A published month's page as a worker keeps it drawn (`ranking_views._published_month_page`):
the same as drawn afresh, and never behind the consent, the summary or the snapshot."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from deqing_hub import ranking, ranking_tables, ranking_views
from deqing_hub.models import RankingSnapshot
from members import page_cache
from members import queries as members_queries
from members.models import Member
from tests.ranking.conftest import at, award, make_member, make_org
from tests.ranking.test_views_default_month import login_as

SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
PAGE = reverse("ranking_month", args=[2026, 10])


def _page(client) -> tuple[str, int]:
    """The month page as an anonymous visitor gets it with Redis emptied, and its queries."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _ranking_part(html: str) -> str:
    return html[html.index('<section class="ranking">') : html.rindex("</section>")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_page_is_the_page_drawn_afresh(town, language):
    ranking.close_month(month=SEPTEMBER)
    ranking.close_month(month=OCTOBER)

    with translation.override(language):
        afresh = ranking_views._month_page(OCTOBER, every_row=False)
        stamp = ranking.published_stamp(OCTOBER)
        assert stamp is not None
        drawn = ranking_views._published_month_page(OCTOBER, stamp)
        kept = ranking_views._published_month_page(OCTOBER, stamp)

    assert drawn == afresh
    assert kept == afresh
    assert len(ranking_views._DRAWN) == 1


def test_the_second_page_reads_the_stamp_and_the_names_only(client, town):
    ranking.close_month(month=OCTOBER)

    first, first_queries = _page(client)
    second, second_queries = _page(client)

    assert (first_queries, second_queries) == (3, 2)
    assert _ranking_part(second) == _ranking_part(first)
    assert "王*明" in second


def test_a_withdrawn_consent_shows_on_the_kept_page(client, town):
    ranking.close_month(month=OCTOBER)
    assert "张*丰" in _page(client)[0]

    Member.objects.filter(pk=town["members"]["zhang"].pk).update(ranking_consent=False)

    html, queries = _page(client)
    assert queries == 2  # the page was kept: only its volunteers' table is drawn again
    assert "张*丰" not in html
    assert "王*明" in html


def test_a_rewritten_summary_is_drawn_again(client, town):
    ranking.close_month(month=OCTOBER)
    before = _page(client)[0]
    assert "2026-09" not in _ranking_part(before).split("ranking-trend-data")[1]

    # Closing September after October draws October's trend again (its summary is rewritten).
    ranking.close_month(month=SEPTEMBER)

    after = _page(client)[0]
    assert "2026-09" in _ranking_part(after).split("ranking-trend-data")[1]


def test_a_month_closed_again_shows_its_new_snapshot(client, town):
    ranking.close_month(month=OCTOBER)
    _page(client)
    RankingSnapshot.objects.filter(month=OCTOBER).delete()
    award(town["members"]["wang"], 4, at(30))
    ranking.refresh_member_totals(month=OCTOBER)
    snapshot, _created = ranking.close_month(month=OCTOBER)

    html = _page(client)[0]
    assert snapshot.content_hash in html
    assert "50" in html  # 46 points before, 4 more


def test_names_on_the_kept_page_are_escaped(client, town):
    make_org("<b>晨光</b>")
    branch = town["members"]["wang"].branch
    branch.name = '<i>甲"支部</i>'
    branch.save()
    award(make_member("赵<s>一</s>", branch, consent=True), 3, at(12))
    ranking.refresh_member_totals(month=OCTOBER)
    ranking.close_month(month=OCTOBER)

    for html in (_page(client)[0], _page(client)[0]):  # drawn, then kept
        assert "&lt;b&gt;晨光&lt;/b&gt;" in html
        assert "<b>晨光</b>" not in html
        assert "&lt;i&gt;甲&quot;支部&lt;/i&gt;" in html
        assert "<i>甲" not in html
        assert "<s>" not in html


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("ranking_organisation", [2026, 10]),
        ("ranking_branch", [2026, 1]),
        ("ranking_volunteer", [2016, 12]),
        ("ranking_year_organisation", [2026]),
        ("projects:project_detail", []),
    ],
)
def test_row_links_are_the_reversed_urls(name, args):
    link = ranking_tables.links(name, *args)

    for pk in (1, 42, 9_223_372_036_854_775_807):
        assert link(pk) == reverse(name, args=[*args, pk])


def test_a_lost_version_and_stamp_restart_and_every_reader_agrees(db):
    from deqing_hub.ranking import cache as ranking_cache
    from members import page_cache
    from rota import queries as rota_queries

    before = ranking.cache_key("x")
    page_before = page_cache.version()
    cache.delete_many([ranking_cache._VERSION_KEY, rota_queries.ATTENDANCE_STAMP_KEY])
    cache.delete(page_cache.VERSION_KEY)

    restarted = ranking.cache_key("x")  # the numbers added by this read, not read again
    page_restarted = page_cache.version()

    assert restarted != before
    assert ranking.cache_key("x") == restarted
    assert rota_queries.attendance_stamp() == int(restarted.split(":")[2])
    assert page_restarted > page_before  # restarted at the current time, past the old number
    assert page_cache.version() == page_restarted


def test_a_cold_page_makes_three_round_trips_to_redis(client, town, redis_url, monkeypatch):
    """The pages' version, the ranking's and the attendance stamp read in one round trip and
    restarted in one (they were 3 + 3), then the page stored: with the numbers just restarted
    there is no page to look up."""
    import redis

    ranking.close_month(month=OCTOBER)
    _page(client)  # the worker draws the month (a query more)
    trips = []
    command, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *a, **k: trips.append(a[0]) or command(self, *a, **k),
    )
    monkeypatch.setattr(
        redis.client.Pipeline,
        "execute",
        lambda self, *a: trips.append("pipeline") or pipeline(self, *a),
    )

    html, queries = _page(client)  # Redis emptied: every number lost

    assert "王*明" in html
    assert queries == 2
    assert trips == ["FLUSHDB", "MGET", "pipeline", "SET"]  # emptied, then the page


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "TOKEN", html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_whole_page_is_the_page_rendered(client, town, monkeypatch, language):
    """A plain anonymous visitor's page, kept whole by the worker (`_plain_published_page`),
    is the page the template renders, but for the visitor's token, which sets its cookie."""
    ranking.close_month(month=OCTOBER)
    client.cookies["django_language"] = language

    drawn, kept = _page(client)[0], _page(client)[0]
    assert len(ranking_views._WHOLE) == 1
    monkeypatch.setattr(page_cache, "plain_visitor", lambda request: False)
    rendered = _page(client)[0]

    assert _without_token(drawn) == _without_token(rendered)
    assert _without_token(kept) == _without_token(rendered)
    assert "\x00" not in kept
    cache.clear()
    fresh = Client()
    response = fresh.get(PAGE)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', response.content.decode())
    assert token and token[1] != ranking_views._TOKEN_MARK
    assert settings.CSRF_COOKIE_NAME in response.cookies


def test_the_kept_whole_page_follows_the_consent(client, town):
    ranking.close_month(month=OCTOBER)
    assert "张*丰" in _page(client)[0]

    Member.objects.filter(pk=town["members"]["zhang"].pk).update(ranking_consent=False)

    html, queries = _page(client)
    assert queries == 2
    assert "张*丰" not in html
    assert "王*明" in html


def test_a_logged_in_member_never_gets_the_kept_whole_page(client, town):
    ranking.close_month(month=OCTOBER)
    _page(client)
    login_as(client, town["members"]["wang"])

    html = _page(client)[0]

    assert 'id="own-rank"' in html
    assert len(ranking_views._WHOLE) == 1  # the anonymous visitor's only


def test_consenting_names_is_the_querysets_rule(town):
    branch = town["members"]["wang"].branch
    members = [
        make_member(f"成员{i}", branch, consent=consent, active=active)
        for i, (consent, active) in enumerate(
            [(True, True), (True, False), (False, True), (False, False)]
        )
    ]
    ids = [m.pk for m in members] + [town["members"]["wang"].pk, 999_999]

    expected = dict(
        Member.objects.active().with_ranking_consent().filter(pk__in=ids).values_list("pk", "name")
    )
    assert members_queries.consenting_names(ids) == expected
    assert set(expected) == {members[0].pk, town["members"]["wang"].pk}
    assert members_queries.consenting_names([]) == {}


def test_a_page_asked_with_a_query_string_is_drawn_not_kept(client, town):
    """Links that carry tracking parameters get the same page, drawn, not a kept copy each."""
    ranking.close_month(month=OCTOBER)
    plain = _page(client)[0]
    assert len(ranking_views._WHOLE) == 1

    for n in range(3):
        query = f"utm_source=wechat{n}"
        tagged = client.get(f"{PAGE}?{query}").content.decode()
        # The same page but for the language switcher's way back, which keeps the query.
        assert _without_token(tagged).replace(f"?{query}", "") == _without_token(plain)
    assert len(ranking_views._WHOLE) == 1
