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
    # session, user, count, page, photos, claims; the session's renewal (3, savepoint included)
    with django_assert_num_queries(9):
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
    # session, user, organisations, three lists with their photos and claims, session renewal
    with django_assert_num_queries(15):
        response = client.get("/wishes/for-organisations/")
    assert len(response.context["invited"]) == count
    assert len(response.context["claimed"]) == count
