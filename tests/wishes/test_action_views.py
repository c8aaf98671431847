"""The one-action POST views on a wish page: parse, call the action, say what happened."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from tests.wishes.conftest import future, image_bytes, jpeg_upload, upload
from wishes.models import Claim, Wish, WishPhoto


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_claim_through_the_page(client, make_wish, alliance_contact, organisation):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(alliance_contact)
    response = client.post(
        f"/wishes/{wish.pk}/claim/",
        {"organisation": organisation.pk, "promised_on": future().isoformat()},
    )
    assert response.status_code == 302
    assert "认领成功" in said(response)[0]
    assert Claim.objects.filter(wish=wish, organisation=organisation).count() == 1


def test_a_second_claim_through_the_page_says_why(
    client, make_wish, alliance_contact, organisation
):
    wish = make_wish(Wish.Status.CLAIMED)
    client.force_login(alliance_contact)
    response = client.post(
        f"/wishes/{wish.pk}/claim/",
        {"organisation": organisation.pk, "promised_on": future().isoformat()},
    )
    assert "县运管局已认领过该心愿" in said(response)[0]
    assert Claim.objects.filter(wish=wish).count() == 1


def test_claiming_for_an_organisation_one_is_not_contact_of_is_refused(
    client, make_wish, other_contact, organisation, other_organisation
):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(other_contact)
    response = client.post(
        f"/wishes/{wish.pk}/claim/",
        {"organisation": organisation.pk, "promised_on": future().isoformat()},
    )
    # The form offers only one's own organisations: another's id was edited in (issue #9).
    assert response.status_code == 404
    assert not Claim.objects.exists()


def test_claiming_an_unpublished_wish_is_404(client, make_wish, alliance_contact, organisation):
    wish = make_wish(Wish.Status.SUBMITTED)
    client.force_login(alliance_contact)
    response = client.post(
        f"/wishes/{wish.pk}/claim/",
        {"organisation": organisation.pk, "promised_on": future().isoformat()},
    )
    assert response.status_code == 404


def test_an_update_with_a_photo_through_the_page(client, make_wish, alliance_contact, organisation):
    wish = make_wish(Wish.Status.CLAIMED)
    client.force_login(alliance_contact)
    response = client.post(
        f"/wishes/{wish.pk}/update/",
        {"organisation": organisation.pk, "text": "实地踏勘", "photos": [jpeg_upload()]},
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == Wish.Status.IN_PROGRESS
    assert WishPhoto.objects.filter(event__kind="update").count() == 1


def test_a_bad_photo_on_an_update_saves_nothing_and_names_the_photo(
    client, make_wish, alliance_contact, organisation
):
    wish = make_wish(Wish.Status.CLAIMED)
    client.force_login(alliance_contact)
    response = client.post(
        f"/wishes/{wish.pk}/update/",
        {
            "organisation": organisation.pk,
            "text": "图",
            "photos": [upload("x.jpg", image_bytes("GIF"))],
        },
    )
    messages = said(response)
    assert any("x.jpg" in m for m in messages)
    assert not wish.events.filter(kind="update").exists()


def test_fulfil_through_the_page(client, make_wish, alliance_contact, organisation):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    client.force_login(alliance_contact)
    client.post(f"/wishes/{wish.pk}/fulfil/", {"organisation": organisation.pk, "text": "已开通"})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED and wish.evidence == "已开通"


def test_a_stranger_confirming_gets_a_clear_message(client, make_wish, public_user):
    wish = make_wish(Wish.Status.FULFILLED)
    client.force_login(public_user)
    response = client.post(f"/wishes/{wish.pk}/confirm/")
    assert response.status_code == 302
    assert "只有心愿发布人可以确认" in said(response)[0]
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED


def test_the_wisher_confirms_reopens_and_withdraws_through_the_page(client, make_wish, member_user):
    client.force_login(member_user)
    fulfilled = make_wish(Wish.Status.FULFILLED)
    client.post(f"/wishes/{fulfilled.pk}/reopen/", {"reason": "还差一点"})
    fulfilled.refresh_from_db()
    assert fulfilled.status == Wish.Status.IN_PROGRESS
    other = make_wish(Wish.Status.FULFILLED, title="第二个")
    client.post(f"/wishes/{other.pk}/confirm/")
    other.refresh_from_db()
    assert other.status == Wish.Status.CONFIRMED
    third = make_wish(Wish.Status.PUBLISHED, title="第三个")
    client.post(f"/wishes/{third.pk}/withdraw/")
    third.refresh_from_db()
    assert third.status == Wish.Status.WITHDRAWN


def test_reopen_without_a_reason_says_so(client, make_wish, member_user):
    wish = make_wish(Wish.Status.FULFILLED)
    client.force_login(member_user)
    response = client.post(f"/wishes/{wish.pk}/reopen/", {"reason": ""})
    assert "请填写理由" in said(response)[0]


def test_release_through_the_page(client, make_wish, alliance_contact):
    wish = make_wish(Wish.Status.CLAIMED)
    claim = wish.claims.get()
    client.force_login(alliance_contact)
    client.post(f"/wishes/{wish.pk}/claims/{claim.pk}/release/", {"reason": "人手不足"})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED


def test_another_organisations_claim_cannot_be_released_404(
    client, make_wish, other_contact, other_organisation
):
    wish = make_wish(Wish.Status.CLAIMED)
    claim = wish.claims.get()
    client.force_login(other_contact)
    response = client.post(f"/wishes/{wish.pk}/claims/{claim.pk}/release/", {"reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["claim", "confirm", "withdraw", "reopen", "update", "fulfil"])
def test_actions_need_a_login_and_a_post(client, make_wish, path, member_user):
    wish = make_wish(Wish.Status.PUBLISHED)
    assert client.post(f"/wishes/{wish.pk}/{path}/").status_code == 302  # to the login
    client.force_login(member_user)
    # Withdrawing answers a GET with its confirmation page (tests/wishes/test_withdraw_confirm.py).
    expected = 200 if path == "withdraw" else 405
    assert client.get(f"/wishes/{wish.pk}/{path}/").status_code == expected
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED  # a GET never moves a wish on


def test_my_wishes_lists_every_state_of_my_own(client, make_wish, member_user, public_user):
    make_wish(Wish.Status.REJECTED, title="我的被拒")
    make_wish(Wish.Status.PUBLISHED, title="别人的", wisher=public_user)
    client.force_login(member_user)
    titles = [w.title for w in client.get("/wishes/mine/").context["wishes"]]
    assert titles == ["我的被拒"]


def test_organisation_page_lists_invitations_and_claims(
    client, make_wish, staff, other_contact, other_organisation, alliance_contact
):
    from wishes import actions

    invited = make_wish(Wish.Status.PUBLISHED, title="邀请的")
    actions.invite_organisation(wish=invited, organisation=other_organisation, by=staff)
    make_wish(Wish.Status.CLAIMED, title="运管局认领的")
    client.force_login(other_contact)
    context = client.get("/wishes/for-organisations/").context
    assert [w.title for w in context["invited"]] == ["邀请的"]
    assert context["claimed"] == []
    client.force_login(alliance_contact)
    context = client.get("/wishes/for-organisations/").context
    assert [w.title for w in context["claimed"]] == ["运管局认领的"]
