"""The wish page: public timeline; unpublished wishes only for the wisher, claimers and staff."""

from __future__ import annotations

import pytest

from wishes.models import Wish


def url(wish):
    return f"/wishes/{wish.pk}/"


@pytest.mark.parametrize("status", ["submitted", "rejected", "withdrawn"])
def test_wishes_off_the_wall_are_404_for_others(client, make_wish, public_user, status):
    wish = make_wish(status)
    assert client.get(url(wish)).status_code == 404
    client.force_login(public_user)
    assert client.get(url(wish)).status_code == 404


def test_the_wisher_and_staff_see_a_rejected_wish_with_its_reason(
    client, make_wish, member_user, staff
):
    wish = make_wish(Wish.Status.REJECTED)
    for user in (member_user, staff):
        client.force_login(user)
        page = client.get(url(wish)).content.decode()
        assert "重复提交" in page


def test_the_public_timeline_hides_internal_steps(client, make_wish):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    response = client.get(url(wish))
    kinds = [e.kind for e in response.context["events"]]
    assert kinds == ["verified", "claimed", "update"]
    page = response.content.decode()
    assert "已与公交公司对接" in page and "县运管局" in page


def test_the_wisher_sees_confirm_and_reopen_when_fulfilled(client, make_wish, member_user):
    wish = make_wish(Wish.Status.FULFILLED)
    client.force_login(member_user)
    page = client.get(url(wish)).content.decode()
    assert f"/wishes/{wish.pk}/confirm/" in page and f"/wishes/{wish.pk}/reopen/" in page


def test_contacts_see_the_claim_form_and_claimers_the_progress_form(
    client, make_wish, other_contact, other_organisation, alliance_contact
):
    wish = make_wish(Wish.Status.CLAIMED)
    client.force_login(other_contact)
    response = client.get(url(wish))
    assert response.context["claim_form"] is not None
    assert response.context["progress_form"] is None
    client.force_login(alliance_contact)
    response = client.get(url(wish))
    assert response.context["claim_form"] is None  # already claimed by its organisation
    assert response.context["progress_form"] is not None


def test_the_detail_page_query_count_is_fixed(client, make_wish, django_assert_max_num_queries):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    with django_assert_max_num_queries(8):
        assert client.get(url(wish)).status_code == 200


def test_claimer_sees_the_wish_after_it_left_the_wall(client, make_wish, alliance_contact, staff):
    wish = make_wish(Wish.Status.CLAIMED)
    Wish.objects.filter(pk=wish.pk).update(status=Wish.Status.REJECTED, rejection_reason="违规")
    client.force_login(alliance_contact)
    assert client.get(url(wish)).status_code == 200
