"""The wall's granted count, cached under the home figures' version: a wish granted shows
at once."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.ranking.conftest import granted_wish, make_org
from wishes import queries

pytestmark = pytest.mark.django_db


def test_the_granted_count_is_cached_and_a_granted_wish_shows_at_once(
    client, django_assert_num_queries
):
    org = make_org("晨曦社工")
    wisher = make_user(email="wisher@example.cn")
    fulfilled = timezone.now() - dt.timedelta(days=1)
    granted_wish(org, fulfilled=fulfilled, confirmed=None, wisher=wisher)
    assert queries.cached_granted_count() == 1
    with django_assert_num_queries(0):
        assert queries.cached_granted_count() == 1

    granted_wish(org, fulfilled=fulfilled, confirmed=fulfilled, wisher=wisher)

    assert queries.cached_granted_count() == 2
    assert client.get("/wishes/").context["granted_count"] == 2
