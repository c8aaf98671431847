"""post_update and fulfil_wish: claimers only, public updates with photos, evidence required."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from members.images import clean_photo
from tests.wishes.conftest import jpeg_upload
from wishes import actions
from wishes.models import Wish, WishPhoto


def test_the_first_update_marks_the_wish_in_progress_and_tells_the_wisher(
    make_wish, organisation, alliance_contact, member_user, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.CLAIMED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = actions.post_update(
            wish=wish,
            organisation=organisation,
            by=alliance_contact,
            text="已调研线路",
            photos=[clean_photo(jpeg_upload("site.jpg"))],
        )
    wish.refresh_from_db()
    assert wish.status == Wish.Status.IN_PROGRESS
    assert event.is_public and event.photos.count() == 1
    assert mail.outbox[0].to == [member_user.email] and "已调研线路" in mail.outbox[0].body


def test_updates_only_by_a_claiming_organisation(
    make_wish, other_organisation, other_contact, organisation, member_user
):
    wish = make_wish(Wish.Status.CLAIMED)
    with pytest.raises(ValidationError):  # other organisation did not claim it
        actions.post_update(
            wish=wish, organisation=other_organisation, by=other_contact, text="我们也来"
        )
    with pytest.raises(PermissionDenied):  # not a contact of the claimer
        actions.post_update(wish=wish, organisation=organisation, by=member_user, text="x")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED


def test_an_update_needs_text(make_wish, organisation, alliance_contact):
    with pytest.raises(ValidationError):
        actions.post_update(
            wish=make_wish(Wish.Status.CLAIMED),
            organisation=organisation,
            by=alliance_contact,
            text=" ",
        )


def test_fulfilment_with_evidence_asks_the_wisher(
    make_wish, organisation, alliance_contact, member_user, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.CLAIMED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        wish = actions.fulfil_wish(
            wish=wish, organisation=organisation, by=alliance_contact, evidence="121路已开通"
        )
    assert wish.status == Wish.Status.FULFILLED and wish.fulfilled_at
    assert wish.evidence == "121路已开通"
    assert mail.outbox[0].to == [member_user.email]
    assert "实现了吗" in mail.outbox[0].subject


def test_fulfilment_needs_evidence_and_an_open_claim(make_wish, organisation, alliance_contact):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        actions.fulfil_wish(wish=wish, organisation=organisation, by=alliance_contact, evidence="")
    confirmed = make_wish(Wish.Status.CONFIRMED, title="另一个")
    with pytest.raises(ValidationError):
        actions.fulfil_wish(
            wish=confirmed, organisation=organisation, by=alliance_contact, evidence="再来"
        )


def test_more_than_three_photos_on_an_update_are_refused(make_wish, organisation, alliance_contact):
    wish = make_wish(Wish.Status.CLAIMED)
    photos = [clean_photo(jpeg_upload(f"{i}.jpg")) for i in range(4)]
    with pytest.raises(ValidationError):
        actions.post_update(
            wish=wish, organisation=organisation, by=alliance_contact, text="图", photos=photos
        )
    assert not WishPhoto.objects.exists()
    assert not wish.events.filter(kind="update").exists()


def test_only_a_claimers_contact_may_report_fulfilment(
    make_wish, organisation, other_organisation, other_contact, member_user
):
    wish = make_wish(Wish.Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):  # the wisher cannot fulfil their own wish
        actions.fulfil_wish(wish=wish, organisation=organisation, by=member_user, evidence="好了")
    with pytest.raises(ValidationError):  # an organisation that did not claim it
        actions.fulfil_wish(
            wish=wish, organisation=other_organisation, by=other_contact, evidence="好了"
        )
    wish.refresh_from_db()
    assert wish.status == Wish.Status.IN_PROGRESS and not wish.evidence


def test_a_released_claimer_may_no_longer_post_updates(make_wish, organisation, alliance_contact):
    wish = make_wish(Wish.Status.CLAIMED)
    actions.release_claim(claim=wish.claims.get(), by=alliance_contact, reason="退出")
    with pytest.raises(ValidationError):
        actions.post_update(wish=wish, organisation=organisation, by=alliance_contact, text="x")
