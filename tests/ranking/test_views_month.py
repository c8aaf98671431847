"""The month page: HTML, JSON and xlsx; bad input; fixed query counts; the rendered part cached."""

import datetime as dt
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from deqing_hub import ranking
from members.models import Branch
from tests.ranking.conftest import at, award, make_member

OCTOBER = dt.date(2026, 10, 1)


def october(fmt: str | None = None) -> str:
    url = reverse("ranking_month", args=[2026, 10])
    return f"{url}?format={fmt}" if fmt else url


@pytest.fixture
def refreshed(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh_member_totals(month=OCTOBER)
    return town


def test_month_page_shows_the_three_tables_and_the_formula(client, refreshed):
    response = client.get(october())

    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年10月" in html
    assert "暂定" in html  # not closed yet
    for text in ("团县委", "晨曦社工", "甲支部", "王*明", "15.00", "20.00"):
        assert text in html
    assert reverse("ranking_organisation", args=[2026, 10, refreshed["orgs"]["youth"].pk]) in html
    # The formula and its weights are on the page.
    assert "每次轮值周" in html or "10.00" in html


def test_the_running_month_is_marked_in_progress(client, refreshed):
    response = client.get(reverse("ranking_month", args=[2026, 11]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年11月月度排名" in html
    assert "进行中" in html
    assert "本月仍在进行中" in html


def test_json_lists_ranks_scores_and_the_formula(client, refreshed):
    data = json.loads(client.get(october("json")).content)

    assert data["month"] == "2026-10"
    assert data["status"] == "provisional"
    assert data["formula"]["weights"]["duty_week"] == "10.00"
    assert [(o["rank"], o["name"], o["score"]) for o in data["organisations"]][:3] == [
        (1, "团县委", "20.00"),
        (2, "晨曦社工", "19.80"),
        (3, "县运管局", "7.00"),
    ]
    assert [(b["name"], b["per_member"]) for b in data["branches"]] == [
        ("甲支部", "15.00"),
        ("乙支部", "5.33"),
    ]
    assert data["volunteers"]["total"] == 4
    assert data["volunteers"]["unnamed"] == 1


def test_xlsx_has_one_sheet_per_table(client, refreshed):
    response = client.get(october("xlsx"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    orgs = list(book["红盟成员单位"].iter_rows(min_row=2, values_only=True))
    assert orgs[0][:3] == (1, "团县委", 20.0)
    branches = list(book["支部"].iter_rows(min_row=2, values_only=True))
    assert branches[0] == (1, "甲支部", 2, 30, 15.0)


def test_xlsx_keeps_a_name_that_looks_like_a_formula_as_text(client, refreshed):
    """A branch named "=HYPERLINK(...)" must not become a live formula in the reader's Excel."""
    Branch.objects.filter(name="甲支部").update(name='=HYPERLINK("http://x","甲")')
    cache.clear()
    book = load_workbook(io.BytesIO(client.get(october("xlsx")).content))
    sheet = book["支部"]
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://x","甲")' in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    "url",
    [
        "/ranking/2026/12/",  # the future (today is 2026-11-10)
        "/ranking/2027/01/",
        "/ranking/2026/13/",
        "/ranking/2026/0/",
        "/ranking/2015/05/",  # before the centre opened
        "/ranking/2026/10/?format=pdf",
        "/ranking/?format=csv",
        "/ranking/2026/10/organisations/999999/",
        "/ranking/2026/10/volunteers/999999/",
        "/ranking/2026/10/branches/999999/",
    ],
)
def test_bad_input_is_a_404_with_a_message(client, refreshed, url):
    response = client.get(url)
    assert response.status_code == 404


def test_unknown_format_says_which_formats_exist(client, refreshed):
    response = client.get(october("pdf"))
    assert response.status_code == 404
    assert "html、json 或 xlsx" in response.content.decode()


def test_future_month_says_it_has_not_begun(client, refreshed):
    response = client.get("/ranking/2026/12/")
    assert "尚未开始" in response.content.decode()


def _grow(town, n: int) -> None:
    branch = Branch.objects.create(name=f"新支部{n}", kind=Branch.Kind.STANDALONE)
    for i in range(n):
        member = make_member(f"成员{n}{i}", branch, consent=i % 2 == 0)
        award(member, 3 + i, at(5))


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("fmt", [None, "json", "xlsx"])
def test_query_count_does_not_grow_with_the_data(
    client, refreshed, django_capture_on_commit_callbacks, fmt
):
    small = _queries(client, october(fmt))
    _grow(refreshed, 30)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh_member_totals(month=OCTOBER)
    large = _queries(client, october(fmt))

    # Snapshot lookup, formula, totals, branches, organisations, 6 record queries, consenting
    # names, then the page the trend, JSON and xlsx the named count: 13, at 4 volunteers as
    # at 34 (14 before the page stopped counting the named and JSON and xlsx drawing a trend).
    assert (small, large) == (13, 13)


def test_the_rendered_ranking_is_cached(client, refreshed, django_assert_max_num_queries):
    for fmt in (None, "json", "xlsx"):
        client.get(october(fmt))  # fills the cache

    with django_assert_max_num_queries(0):
        for fmt in (None, "json", "xlsx"):
            assert client.get(october(fmt)).status_code == 200


def test_a_refresh_drops_the_cached_page(client, refreshed, django_capture_on_commit_callbacks):
    assert json.loads(client.get(october("json")).content)["volunteers"]["points"] == 46
    award(refreshed["members"]["wang"], 4, at(30))

    # Until the totals are refreshed, the page keeps its cached figures.
    assert json.loads(client.get(october("json")).content)["volunteers"]["points"] == 46
    with django_capture_on_commit_callbacks(execute=True):
        ranking.refresh_member_totals(month=OCTOBER)
    assert json.loads(client.get(october("json")).content)["volunteers"]["points"] == 50


def test_an_old_month_that_was_never_published_is_404(client, refreshed):
    response = client.get("/ranking/2026/08/")
    assert response.status_code == 404
    assert "2026-08 的排名未发布" in response.content.decode()
    youth = refreshed["orgs"]["youth"].pk
    assert client.get(f"/ranking/2026/08/organisations/{youth}/").status_code == 404


def test_user_text_is_escaped_in_the_cached_page(client, refreshed):
    from rota.models import Organisation

    Organisation.objects.create(name="<b>晨光</b>", kind=Organisation.Kind.SOCIAL_ORGANISATION)
    html = client.get(october()).content.decode()
    assert "&lt;b&gt;晨光&lt;/b&gt;" in html
    assert "<b>晨光</b>" not in html


def test_closed_month_query_count_does_not_grow(client, refreshed):
    ranking.close_month(month=OCTOBER)
    first = _queries(client, october())
    small = _queries(client, october())
    _grow(refreshed, 30)
    ranking.refresh_member_totals(month=OCTOBER)  # a no-op: the month is closed
    large = _queries(client, october())
    # A worker's first anonymous page of the month: the summary's stamp, the stored summary and
    # the consenting names; later ones (Redis emptied, `_queries` clears it) the stamp and the
    # names, the rest drawn once per worker (was 4: the snapshot cut by JSON path, the trend
    # over eleven snapshots, the names, the named count; then 2 with the ranking's cache).
    assert (first, small, large) == (3, 2, 2)
