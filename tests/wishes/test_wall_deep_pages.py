"""The wall's deep pages (read from cached anchors), its cached filter fields and its cards."""

from __future__ import annotations

import time
from functools import partial

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from members import pagination
from members.pagination import anchored_page, uncounted_page
from tests.wishes.conftest import future
from wishes import actions
from wishes.models import Wish

URL = "/wishes/"


@pytest.fixture
def deep(monkeypatch):
    """Every page past the first is a deep one: read from its anchor, not with OFFSET."""
    monkeypatch.setattr(pagination, "FRONT_PAGES", 1)


def _pks(queryset, number, per_page, reader) -> list[int] | str:
    try:
        return [wish.pk for wish in reader(queryset, number, per_page)]
    except Http404:
        return "404"


def test_anchored_pages_are_the_offset_pages_ties_included(deep, make_wish):
    for i in range(4):
        make_wish(Wish.Status.PUBLISHED, title=f"早-{i}")
    # Three wishes of one instant: the anchor's id must split them where OFFSET does.
    with time_machine.travel(timezone.now(), tick=False):
        for i in range(3):
            make_wish(Wish.Status.PUBLISHED, title=f"同时-{i}")
    make_wish(Wish.Status.CLAIMED, title="已认领")
    make_wish(Wish.Status.SUBMITTED, title="未审核")  # not on the wall
    lists = {
        "public": Wish.objects.public(),
        "published": Wish.objects.public().filter(status=Wish.Status.PUBLISHED),
    }
    for name, queryset in lists.items():
        for per_page in (1, 2, 3):
            key = f"test:anchors:{name}:{per_page}"
            pages = [
                _pks(
                    queryset, number, per_page, partial(anchored_page, field="created_at", key=key)
                )
                for number in range(1, 11)
            ]
            assert pages == [
                _pks(queryset, number, per_page, uncounted_page) for number in range(1, 11)
            ]
            walked = [pk for page in pages if page != "404" for pk in page]
            assert walked == list(queryset.values_list("pk", flat=True))


def test_a_deep_page_shows_each_change_at_the_next_request(
    deep, client, make_wish, organisation, alliance_contact
):
    made = [make_wish(Wish.Status.PUBLISHED, title=f"心愿{i:02d}") for i in range(14)]
    oldest, newest = made[0], made[-1]

    def page_two():
        response = client.get(URL, {"page": 2})
        return response, {w.pk: w.status for w in response.context["wishes"]}

    response, shown = page_two()
    assert list(shown) == [made[1].pk, oldest.pk]

    actions.claim_wish(
        wish=oldest, organisation=organisation, by=alliance_contact, promised_on=future()
    )
    response, shown = page_two()
    assert shown[oldest.pk] == Wish.Status.CLAIMED
    page = response.content.decode()
    assert '<span class="badge badge-info">已认领</span>' in page and "县运管局" in page

    actions.fulfil_wish(
        wish=oldest, organisation=organisation, by=alliance_contact, evidence="已办好"
    )
    response, shown = page_two()
    assert shown[oldest.pk] == Wish.Status.FULFILLED
    assert '<span class="badge badge-ok">已实现</span>' in response.content.decode()

    # Withdrawn from page 1: it leaves the wall and page 2 starts one wish earlier.
    actions.withdraw_wish(wish=newest, by=newest.wisher)
    response, shown = page_two()
    assert list(shown) == [oldest.pk]
    assert client.get(URL, {"page": 3}).status_code == 404


class _AnotherRequestFinding:
    """The cache, as seen while another request holds every anchors' lock."""

    def __init__(self, cache) -> None:
        self._cache = cache

    def add(self, key, *args, **kwargs):
        return False if key.endswith(":finding") else self._cache.add(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cache, name)


@pytest.mark.parametrize("finding", [False, True], ids=["anchored", "offset-while-finding"])
def test_deep_pages_of_a_filter_walk_it_in_order(
    deep, client, make_wish, category, monkeypatch, finding
):
    from services.models import Category

    if finding:
        monkeypatch.setattr(pagination, "cache", _AnotherRequestFinding(pagination.cache))

    other = Category.objects.create(code="wall-test", name="墙测试类别")
    for i in range(13):
        make_wish(Wish.Status.PUBLISHED, title=f"心愿{i:02d}")
    claimed = make_wish(Wish.Status.CLAIMED, title="已认领的心愿")
    moved = make_wish(Wish.Status.PUBLISHED, title="换了类别")
    Wish.objects.filter(pk=moved.pk).update(category=other)

    def walk(**filters) -> list[int]:
        seen, number = [], 1
        while (response := client.get(URL, {**filters, "page": number})).status_code == 200:
            seen += [w.pk for w in response.context["wishes"]]
            number += 1
        return seen

    published = Wish.objects.public().filter(status=Wish.Status.PUBLISHED, category=category)
    assert walk(status="published", category=category.code) == list(
        published.values_list("pk", flat=True)
    )
    assert walk(status="claimed") == [claimed.pk]
    assert walk() == list(Wish.objects.public().values_list("pk", flat=True))


def test_the_cached_filter_fields_follow_the_filter_and_the_categories(client, category):
    from services.models import Category

    other = Category.objects.create(code="wall-test", name="墙测试类别")
    assert 'value="wall-test" selected' not in client.get(URL).content.decode()
    filtered = client.get(URL, {"category": "wall-test"}).content.decode()
    assert 'value="wall-test" selected' in filtered
    assert 'value="wall-test" selected' not in client.get(URL, {"page": 1}).content.decode()

    other.name = "墙测试新名"
    other.save()
    page = client.get(URL).content.decode()
    assert "墙测试新名" in page and "墙测试类别" not in page
    # An unknown value: the fields are drawn again with their error, never stored.
    assert "墙测试新名" in client.get(URL, {"category": "nope"}).content.decode()


def test_a_card_escapes_what_the_wisher_wrote(client, make_wish):
    make_wish(Wish.Status.PUBLISHED, title='<script>alert("x")</script>')
    page = client.get(URL).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def _finding_key(key: str) -> str:
    return f"{key}:finding"


def test_a_page_whose_anchors_another_request_is_finding_is_read_by_offset(
    deep, make_wish, redis_url, monkeypatch
):
    """Given another request holds the anchors' lock, when a deep page is asked for, then it
    is the OFFSET page, at once: no second scan, no waiting, nothing stored."""
    from django.core.cache import cache

    for i in range(7):
        make_wish(Wish.Status.PUBLISHED, title=f"心愿{i}")
    queryset, key = Wish.objects.public(), "test:anchors:held"
    scans = []
    monkeypatch.setattr(pagination, "_store_anchors", lambda *args: scans.append(args))
    assert cache.add(_finding_key(key), 1, 30)

    for number in (2, 3, 4):
        page = anchored_page(queryset, number, 2, field="created_at", key=key)
        assert [w.pk for w in page] == [w.pk for w in uncounted_page(queryset, number, 2)]
        assert page.has_next() == (number < 4)
    with pytest.raises(Http404):
        anchored_page(queryset, 5, 2, field="created_at", key=key)
    assert scans == []
    assert cache.get(f"{key}:pages") is None


def test_a_failed_scan_lets_the_next_request_find_the_anchors(
    deep, make_wish, redis_url, monkeypatch
):
    from django.core.cache import cache

    for i in range(5):
        make_wish(Wish.Status.PUBLISHED, title=f"心愿{i}")
    queryset, key = Wish.objects.public(), "test:anchors:failed"
    real = pagination._store_anchors

    def fails(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(pagination, "_store_anchors", fails)
    with pytest.raises(RuntimeError):
        anchored_page(queryset, 2, 2, field="created_at", key=key)
    assert cache.get(_finding_key(key)) is None

    monkeypatch.setattr(pagination, "_store_anchors", real)
    anchored_page(queryset, 2, 2, field="created_at", key=key)
    assert cache.get(f"{key}:pages") == 3


def test_concurrent_deep_pages_find_the_anchors_once(
    deep, transactional_db, postgres, redis_url, make_wish, monkeypatch
):
    """Given the anchors are missing (a new version, an expiry, Redis emptied), when eight
    requests for deep pages come in at once, then one of them scans the list for the anchors
    and the seven others read their pages by OFFSET meanwhile, each page the right one. Every
    worker ran the scan at once before, and the connections queued behind them waited: the
    wall's p99 at county scale (docs/performance.md, "The wish wall's p99 tail")."""
    import threading

    from django.core.cache import cache
    from django.db import connection

    for i in range(20):
        make_wish(Wish.Status.PUBLISHED, title=f"心愿{i:02d}")
    queryset, key, per_page = Wish.objects.public(), "test:anchors:together", 2
    expected = {number: _pks(queryset, number, per_page, uncounted_page) for number in range(2, 10)}
    real, scans = pagination._store_anchors, []
    scanning = threading.Event()

    def slow_scan(*args):
        scans.append(threading.get_ident())
        scanning.set()
        # Long enough for every other request to find the anchors missing meanwhile.
        time.sleep(0.5)
        return real(*args)

    monkeypatch.setattr(pagination, "_store_anchors", slow_scan)
    start = threading.Barrier(len(expected))
    pages: dict[int, list[int] | str] = {}

    def request(number: int) -> None:
        try:
            start.wait()
            pages[number] = _pks(
                queryset, number, per_page, partial(anchored_page, field="created_at", key=key)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(n,)) for n in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(scans) == 1
    assert pages == expected
    assert cache.get(f"{key}:pages") == 10
    # The next deep page reads the stored anchors: no scan.
    assert (
        _pks(queryset, 9, per_page, partial(anchored_page, field="created_at", key=key))
        == (expected[9])
    )
    assert len(scans) == 1


def test_with_the_cache_down_a_deep_page_is_read_by_offset_without_a_scan(
    deep, make_wish, settings, monkeypatch
):
    """Given Redis does not answer (the resilient cache then says every `add` took its key),
    when deep pages are asked for, then each is the OFFSET page and none scans for anchors:
    the moment the page cache is gone too is not the moment for every request to scan."""
    for i in range(5):
        make_wish(Wish.Status.PUBLISHED, title=f"心愿{i}")
    settings.CACHES = {
        "default": {
            "BACKEND": "deqing_hub.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    queryset = Wish.objects.public()
    scans = []
    monkeypatch.setattr(pagination, "_store_anchors", lambda *args: scans.append(args))

    for number in (2, 3):
        page = anchored_page(queryset, number, 2, field="created_at", key="test:anchors:down")
        assert [w.pk for w in page] == [w.pk for w in uncounted_page(queryset, number, 2)]
    assert scans == []
