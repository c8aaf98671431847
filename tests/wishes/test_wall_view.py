"""The wall /wishes/: public states only, filters, pages, thumbnails, masked names, stories."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.images import clean_photo
from tests.wishes.conftest import jpeg_upload
from wishes import actions
from wishes.models import Wish

URL = "/wishes/"


def test_the_wall_shows_public_states_only(client, make_wish):
    shown = {s: make_wish(s, title=f"公开-{s}") for s in Wish.PUBLIC_STATUSES}
    hidden = {
        s: make_wish(s, title=f"隐藏-{s}")
        for s in (Wish.Status.SUBMITTED, Wish.Status.REJECTED, Wish.Status.WITHDRAWN)
    }
    page = client.get(URL).content.decode()
    for wish in shown.values():
        assert wish.title in page
    for wish in hidden.values():
        assert wish.title not in page


def test_filters_by_status_and_category(client, make_wish, category):
    from services.models import Category

    other = Category.objects.get_or_create(code="talent", defaults={"name": "人才联络"})[0]
    make_wish(Wish.Status.PUBLISHED, title="等待认领的心愿")
    make_wish(Wish.Status.CLAIMED, title="已认领的心愿")
    response = client.get(URL, {"status": "claimed"})
    titles = [w.title for w in response.context["wishes"]]
    assert titles == ["已认领的心愿"]
    response = client.get(URL, {"category": other.code})
    assert list(response.context["wishes"]) == []
    response = client.get(URL, {"category": category.code, "status": "published"})
    assert [w.title for w in response.context["wishes"]] == ["等待认领的心愿"]


def test_an_unknown_filter_value_shows_everything_public(client, make_wish):
    make_wish(Wish.Status.PUBLISHED)
    assert client.get(URL, {"status": "rejected"}).status_code == 200


def test_pages_of_twelve(client, make_wish, staff, member_user, category):
    for i in range(13):
        make_wish(Wish.Status.PUBLISHED, title=f"心愿{i:02d}")
    first = client.get(URL)
    assert len(first.context["wishes"]) == 12 and first.context["is_paginated"]
    assert len(client.get(URL, {"page": 2}).context["wishes"]) == 1


def test_pages_walk_the_wall_in_order_without_counting_it(client, make_wish):
    """Uncounted pages (members.pagination): "Page N", newer/older links, each wish once."""
    made = [make_wish(Wish.Status.PUBLISHED, title=f"心愿{i:02d}").pk for i in range(25)]
    seen = []
    for number in (1, 2, 3):
        response = client.get(URL, {"page": number})
        page = response.context["page_obj"]
        assert page.number == number and page.has_next() == (number < 3)
        seen += [w.pk for w in response.context["wishes"]]
    assert seen == list(reversed(made))
    assert "第 3 页" in response.content.decode()
    assert client.get(URL, {"page": 4}).status_code == 404
    assert client.get(URL, {"page": "x"}).status_code == 404
    assert client.get(URL, {"page": 10**30}).status_code == 404


def test_the_partial_indexes_name_the_statuses_they_serve():
    """The migrations spell the statuses out; they must stay the ones the queries filter on."""
    from wishes.queries import GRANTED_STATUSES

    indexes = {index.name: index for index in Wish._meta.indexes}
    wall = dict(indexes["wishes_wish_wall_idx"].condition.children)["status__in"]
    granted = dict(indexes["wishes_wish_granted_idx"].condition.children)["status__in"]
    assert set(wall) == set(Wish.PUBLIC_STATUSES)
    assert set(granted) == set(GRANTED_STATUSES)


def test_the_python_overdue_rule_agrees_with_the_sql_one(make_wish, settings):
    """The wall reads `is_overdue` from the prefetched claims; the admin from SQL."""
    import time_machine
    from django.utils import timezone

    from wishes.views import wall_queryset

    settings.WISHES_UNCLAIMED_OVERDUE_DAYS = 7
    with time_machine.travel(timezone.now() - timezone.timedelta(days=10)):
        make_wish(Wish.Status.PUBLISHED, title="久未认领")
    for status in Wish.Status.values:
        make_wish(status, title=f"心愿-{status}")
    for days in (0, 40):
        with time_machine.travel(timezone.now() + timezone.timedelta(days=days)):
            in_python = {w.pk: w.is_overdue for w in wall_queryset()}
            in_sql = {w.pk: w.is_overdue for w in Wish.objects.with_overdue()}
            assert in_python == in_sql
            assert any(in_sql.values())


def test_thumbnails_and_masked_names(client, make_wish, member_user, staff, category):
    wish = actions.submit_wish(
        wisher=member_user,
        title="带照片",
        text="x",
        category=category,
        photos=[clean_photo(jpeg_upload("a.jpg"))],
    )
    actions.verify_wish(wish=wish, by=staff)
    page = client.get(URL).content.decode()
    assert wish.photos.get().thumbnail.url in page
    assert "王*" in page and "王小明" not in page
    assert member_user.email not in page and member_user.phone not in page


def test_a_wisher_who_agreed_is_shown_by_name(client, make_wish):
    make_wish(Wish.Status.PUBLISHED, show_name=True)
    assert "王小明" in client.get(URL).content.decode()


def test_granted_stories_section(client, make_wish):
    make_wish(Wish.Status.CONFIRMED, title="开通121路公交")
    response = client.get(URL)
    assert [w.title for w in response.context["stories"]] == ["开通121路公交"]
    page = response.content.decode()
    assert "已实现心愿" in page and "县运管局" in page


def test_granted_means_fulfilled_or_confirmed_on_the_wall_as_on_the_home(client, make_wish):
    """One definition: a fulfilled wish waiting for the wisher's confirmation is granted too."""
    make_wish(Wish.Status.CONFIRMED, title="开通121路公交")
    make_wish(Wish.Status.FULFILLED, title="书吧加长开放")
    make_wish(Wish.Status.IN_PROGRESS, title="还在办")

    response = client.get(URL)
    granted = client.get(URL, {"status": "granted"})

    assert response.context["granted_count"] == 2
    assert "已实现心愿 2 个" in response.content.decode()
    assert {w.title for w in granted.context["wishes"]} == {"开通121路公交", "书吧加长开放"}


def test_overdue_wishes_are_flagged(client, make_wish, settings):
    import time_machine
    from django.utils import timezone

    settings.WISHES_UNCLAIMED_OVERDUE_DAYS = 7
    with time_machine.travel(timezone.now() - timezone.timedelta(days=10)):
        make_wish(Wish.Status.PUBLISHED, title="久未认领")
    make_wish(Wish.Status.PUBLISHED, title="刚上墙")
    response = client.get(URL)
    flags = {w.title: w.is_overdue for w in response.context["wishes"]}
    assert flags == {"久未认领": True, "刚上墙": False}
    assert "已逾期" in response.content.decode()


def test_past_the_promised_date_is_overdue(make_wish):
    import time_machine
    from django.utils import timezone

    wish = make_wish(Wish.Status.CLAIMED)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=40)):
        assert list(Wish.objects.overdue()) == [wish]
    assert not Wish.objects.overdue().exists()


@pytest.mark.parametrize("count", [2, 12])
def test_the_walls_query_count_does_not_grow_with_the_wishes(
    client, make_wish, member_user, staff, category, django_assert_num_queries, count
):
    for i in range(count):
        wish = actions.submit_wish(
            wisher=member_user,
            title=f"心愿{i}",
            text="x",
            category=category,
            photos=[clean_photo(jpeg_upload("a.jpg"))],
        )
        actions.verify_wish(wish=wish, by=staff)
    make_wish(Wish.Status.CONFIRMED, title="故事1")
    make_wish(Wish.Status.CONFIRMED, title="故事2")
    # page (no count: members.pagination; the first thumbnails and the claims in the same
    # query: wishes.cards), stories, their claims, the granted count (the home figure's query),
    # categories. Was 8 with a query for the page's photos and one for the stories' (which show
    # none), 6 with one for the page's claims.
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.status_code == 200


def test_the_wall_links_to_the_form(client, db):
    assert reverse("wishes:wish_new") in client.get(URL).content.decode()


def test_the_walls_rows_draw_the_cards_the_wishes_draw(
    client, make_wish, organisation, other_organisation, other_contact, staff
):
    """The wall reads its cards as rows with the claims as JSON in the row (wishes.cards); they
    must be the cards `card_of` makes from the wishes: claims oldest first, a released one left
    out, a short name shown before the full name, the overdue mark, the masked wisher."""
    import time_machine
    from django.utils import timezone

    from tests.factories import OrganisationFactory
    from wishes.cards import card_of, wall_cards, wall_rows
    from wishes.models import Claim
    from wishes.views import card_queryset

    together = make_wish(Wish.Status.CLAIMED, title="两家一起<认领>")
    actions.claim_wish(
        wish=together,
        organisation=other_organisation,
        by=other_contact,
        promised_on=timezone.localdate() + timezone.timedelta(days=60),
    )
    released = OrganisationFactory(name="德清县放弃认领的单位", short_name="放弃", kind="social")
    Claim.objects.create(
        wish=together,
        organisation=released,
        promised_on=timezone.localdate(),
        claimed_by=staff,
        released_at=timezone.now(),
        release_reason="力不能及",
    )
    under_way = make_wish(Wish.Status.IN_PROGRESS, title="进行中", show_name=True)
    unnamed = OrganisationFactory(name="德清县没有简称的单位", short_name="", kind="social")
    Claim.objects.create(
        wish=under_way,
        organisation=unnamed,
        promised_on=timezone.localdate() + timezone.timedelta(days=90),
        claimed_by=staff,
    )
    make_wish(Wish.Status.PUBLISHED, title="等待认领")
    make_wish(Wish.Status.CONFIRMED, title="已实现")

    def both():
        rows = wall_cards(wall_rows())
        return rows, [card_of(w) for w in card_queryset().public()]

    rows, wishes = both()
    assert rows == wishes and len(rows) == 4
    assert rows[-1].claimed_by == ("县运管局", "晨曦社工")
    assert rows[-2].claimed_by == ("县运管局", "德清县没有简称的单位")
    with time_machine.travel(timezone.now() + timezone.timedelta(days=40)):
        rows, wishes = both()
        assert rows == wishes
        assert {c.title: c.is_overdue for c in rows} == {
            "两家一起<认领>": True,
            "进行中": True,
            "等待认领": True,
            "已实现": False,
        }
    page = client.get(URL).content.decode()
    assert "两家一起&lt;认领&gt;" in page and "县运管局、晨曦社工" in page
