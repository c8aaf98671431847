"""The staff admin of the wish wall renders, masks wishers and keeps the record read-only."""

from __future__ import annotations

import pytest

from members.images import clean_photo
from tests.wishes.conftest import jpeg_upload
from wishes import actions
from wishes.models import Wish


@pytest.mark.parametrize(
    "path",
    [
        "/admin/wishes/wish/",
        "/admin/wishes/wish/?status__exact=submitted",
        "/admin/wishes/claim/",
        "/admin/wishes/wishevent/",
        "/admin/wishes/invitation/",
        "/admin/wishes/wishphoto/",
        "/admin/wishes/staffdigest/",
    ],
)
def test_admin_lists_render(client, staff, make_wish, path):
    make_wish(Wish.Status.IN_PROGRESS)
    client.force_login(staff)
    assert client.get(path).status_code == 200


def test_the_change_page_shows_photos_claims_and_the_record_but_no_status_field(
    client, staff, member_user, category
):
    wish = actions.submit_wish(
        wisher=member_user,
        title="带照片",
        text="x",
        category=category,
        photos=[clean_photo(jpeg_upload())],
    )
    actions.verify_wish(wish=wish, by=staff)
    client.force_login(staff)
    page = client.get(f"/admin/wishes/wish/{wish.pk}/change/").content.decode()
    assert wish.photos.get().thumbnail.url in page
    assert 'name="status"' not in page  # statuses change only through the actions
    assert member_user.phone not in page and member_user.email not in page
    assert f"/wishes/{wish.pk}/route/" in page


def test_the_decision_record_cannot_be_deleted(client, staff, make_wish):
    wish = make_wish(Wish.Status.PUBLISHED)
    event = wish.events.get(kind="verified")
    client.force_login(staff)
    assert client.get(f"/admin/wishes/wishevent/{event.pk}/delete/").status_code == 403


def test_the_queue_flags_overdue_wishes(client, staff, make_wish, settings):
    import time_machine
    from django.utils import timezone

    settings.WISHES_UNCLAIMED_OVERDUE_DAYS = 3
    with time_machine.travel(timezone.now() - timezone.timedelta(days=5)):
        make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)
    page = client.get("/admin/wishes/wish/").content.decode()
    assert "icon-yes.svg" in page
