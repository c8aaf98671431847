"""The wall's deep pages (read from cached anchors), its cached filter fields and its cards."""

from __future__ import annotations

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


def test_deep_pages_of_a_filter_walk_it_in_order(deep, client, make_wish, category):
    from services.models import Category

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
