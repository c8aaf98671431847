"""Query budgets of the other list pages: "my wishes" and the organisations' page."""

from __future__ import annotations

import pytest

from tests.wishes.conftest import future
from wishes import actions
from wishes.models import Wish


@pytest.mark.parametrize("count", [1, 8])
def test_my_wishes_query_count_is_fixed(
    client, make_wish, member_user, count, django_assert_num_queries
):
    for i in range(count):
        make_wish(Wish.Status.CLAIMED, title=f"我的{i}")
    client.force_login(member_user)
    # session, user, count, page (its first thumbnails with it), claims; the session's renewal
    # (3, savepoint included). Was 9 with a query for the photos.
    with django_assert_num_queries(8):
        assert client.get("/wishes/mine/").status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_organisation_page_query_count_is_fixed(
    client,
    make_wish,
    staff,
    other_contact,
    other_organisation,
    count,
    django_assert_num_queries,
):
    for i in range(count):
        wish = make_wish(Wish.Status.PUBLISHED, title=f"邀请{i}")
        actions.invite_organisation(wish=wish, organisation=other_organisation, by=staff)
        claimed = make_wish(Wish.Status.PUBLISHED, title=f"认领{i}")
        actions.claim_wish(
            wish=claimed, organisation=other_organisation, by=other_contact, promised_on=future()
        )
    client.force_login(other_contact)
    # session, user, organisations, three lists with their claims (the first thumbnails in each
    # list's own query), session renewal. Was 15 with a query for each list's photos.
    with django_assert_num_queries(12):
        response = client.get("/wishes/for-organisations/")
    assert len(response.context["invited"]) == count
    assert len(response.context["claimed"]) == count
