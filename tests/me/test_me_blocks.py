"""/me/: each app's block with its link to the full list, and a fixed number of queries."""

import pytest
from django.urls import reverse

from services.actions import sign_up
from tests.factories import ActivityFactory, OrganisationFactory, WishFactory

URL = "/me/"


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_points_block_shows_balance_month_and_vouchers_with_their_qr(client, history, member_user):
    page = _page(client, member_user)
    assert 'id="me-balance">90<' in page
    assert 'id="me-month">100<' in page
    code = history.voucher.code
    assert reverse("points:voucher_qr", args=[code]) in page
    assert reverse("points:voucher_detail", args=[code]) in page
    assert 'href="/points/"' in page


def test_wishes_block_lists_my_wishes_and_claims(client, history, member_user):
    page = _page(client, member_user)
    assert "希望开通公交" in page and "为老人修水管" in page
    assert reverse("wishes:my_wishes") in page and reverse("wishes:for_organisations") in page


def test_services_block_lists_requests_sign_ups_and_attendance(client, history, member_user):
    page = _page(client, member_user)
    assert reverse("services:request_detail", args=[history.request.pk]) in page
    assert "垃圾分类宣传" in page and "植树活动" in page
    assert reverse("services:request_list") in page


def test_duty_weeks_show_for_an_alliance_contact(client, history, member_user):
    page = _page(client, member_user)
    assert 'id="rota-block"' in page and "县文明办" in page
    assert reverse("rota:my_rota") in page


def test_a_member_who_is_no_contact_sees_no_duty_block(client, member, member_user):
    OrganisationFactory(contacts=True)
    page = _page(client, member_user)
    assert 'id="rota-block"' not in page
    assert 'id="points-block"' in page and 'id="wishes-block"' in page


def test_a_public_login_sees_what_membership_means(client, public_user):
    page = _page(client, public_user)
    assert "尚未关联党员" in page
    assert 'id="me-balance"' not in page


def test_blocks_come_in_the_registered_order(client, history, member_user):
    page = _page(client, member_user)
    places = [
        page.index(f'id="{block}"')
        for block in ["points-block", "services-panel", "wishes-block", "rota-block"]
    ]
    assert places == sorted(places)


@pytest.mark.parametrize("more", [False, True])
def test_query_count_is_fixed_for_a_member_with_history(
    client, history, member_user, more, django_assert_num_queries
):
    if more:  # a longer history costs no more queries
        for _ in range(3):
            sign_up(activity=ActivityFactory(), member=history.voucher.member)
            WishFactory(wisher=member_user)
    client.force_login(member_user)
    # session and user 2, member 1, points 2, services 3, projects 1, wishes 2, rota 2,
    # saving the session 3 (savepoint, update, release)
    with django_assert_num_queries(16):
        assert client.get(URL).status_code == 200
