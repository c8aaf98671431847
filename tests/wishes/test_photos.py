"""Wish photos: the wall's limits come from settings, and no file outlives a failed wish.

The checks themselves (formats, bombs, EXIF) are the portal's one photo module's, tested in
tests/members/test_images.py; the upload form's refusals are in test_wish_new_view.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError

from members.images import clean_photo
from tests.photo_uploads import (
    database_refuses,
    files_under_media_root,
    image_bytes,
    noisy_png,
    upload,
)
from wishes import actions
from wishes.forms import WishForm, wish_photo_limits
from wishes.models import Wish, WishEvent, WishPhoto


def wish_photo(name: str = "a.jpg"):
    return clean_photo(upload(name, image_bytes("JPEG", size=(120, 80))), wish_photo_limits())


def test_the_wall_takes_its_byte_and_pixel_limits_from_settings(settings, db):
    # Given the wall accepts at most 1 MB and 1 megapixel per photo
    settings.WISHES_PHOTO_MAX_BYTES = 1024 * 1024
    settings.WISHES_PHOTO_MAX_PIXELS = 1_000_000
    files = {
        "photos": [
            upload("big.png", noisy_png(1.2), "image/png"),
            upload("wide.png", image_bytes("PNG", size=(1200, 1000)), "image/png"),
        ]
    }
    # When the form checks a 1.2 MB photo and a 1.2-megapixel one
    form = WishForm(data={}, files=files)
    form.is_valid()
    # Then both are refused, each message stating the limit in force
    assert [e.code for e in form.errors.as_data()["photos"]] == [
        "photo_too_large",
        "photo_too_many_pixels",
    ]
    assert form.errors["photos"] == [
        "照片“big.png”超过 1 MB。",
        "照片“wide.png”超过 1 百万像素。",
    ]


# --- files follow the transaction (PostgreSQL, real commits) -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_wish_whose_transaction_fails_after_its_photos_leaves_no_file(
    postgres, member_user, category
):
    # Given the database refuses the timeline record, written after the photos
    with (
        database_refuses("wishes_wishevent"),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        # When a wish with two photos is submitted
        actions.submit_wish(
            wisher=member_user,
            title="通勤班车",
            text="希望开通小镇到城区的公交线路。",
            category=category,
            photos=[wish_photo("a.jpg"), wish_photo("b.jpg")],
        )
    # Then nothing is saved and no photo or thumbnail remains under MEDIA_ROOT
    assert not Wish.objects.exists() and not WishPhoto.objects.exists()
    assert files_under_media_root() == []


@pytest.mark.django_db(transaction=True)
def test_a_fulfilment_refused_at_commit_leaves_no_evidence_photo(
    postgres, make_wish, organisation, alliance_contact
):
    wish = make_wish(Wish.Status.CLAIMED)
    # Given the database refuses photo rows only when the transaction commits
    with (
        database_refuses("wishes_wishphoto", at_commit=True),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        actions.fulfil_wish(
            wish=wish,
            organisation=organisation,
            by=alliance_contact,
            evidence="121路公交已开通",
            photos=[wish_photo("bus.jpg")],
        )
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED
    assert not WishEvent.objects.filter(kind=WishEvent.Kind.FULFILLED).exists()
    assert files_under_media_root() == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_wish_keeps_its_photo_and_thumbnail_files(postgres, member_user, category):
    wish = actions.submit_wish(
        wisher=member_user,
        title="通勤班车",
        text="希望开通小镇到城区的公交线路。",
        category=category,
        photos=[wish_photo("a.jpg")],
    )
    photo = WishPhoto.objects.get(wish=wish)
    root = Path(settings.MEDIA_ROOT)
    assert files_under_media_root() == sorted(
        [root / photo.image.name, root / photo.thumbnail.name]
    )
    assert (photo.width, photo.height) == (120, 80)
