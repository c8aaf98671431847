"""The portal's one photo module: only decodable pixels within each app's limits are stored,
and files written in a transaction are removed when it rolls back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from PIL import Image, PngImagePlugin

from members.images import (
    PhotoLimits,
    PhotosField,
    clean_photo,
    display_name,
    files_removed_on_rollback,
)
from rota.models import DutyReportPhoto
from tests.conftest import make_user
from tests.photo_uploads import (
    PHP,
    SVG,
    files_under_media_root,
    gps_exif,
    image_bytes,
    png_bomb,
    truncated_jpeg,
    upload,
)


def codes(exc: ValidationError) -> list[str]:
    return [e.code for e in exc.error_list]


def reopen(content_file) -> Image.Image:
    content_file.seek(0)
    return Image.open(io.BytesIO(content_file.read()))


# --- checking and re-encoding ------------------------------------------------------------------


def test_exif_and_gps_are_gone_and_orientation_is_kept():
    # Given a 80x40 JPEG with GPS, camera data and "rotate 90° clockwise" (orientation 6)
    data = image_bytes("JPEG", size=(80, 40), exif=gps_exif(orientation=6).tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS is really there
    # When it is cleaned
    photo = clean_photo(upload("IMG_0001.jpg", data))
    # Then the stored file, read back with Pillow, has no EXIF at all and stands upright
    stored = reopen(photo.image)
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert stored.size == (40, 80)
    assert (photo.width, photo.height) == (40, 80)
    assert dict(reopen(photo.thumbnail).getexif()) == {}


def test_trailing_bytes_after_the_image_do_not_survive():
    photo = clean_photo(upload("cat.jpg", image_bytes("JPEG") + PHP))
    photo.image.seek(0)
    stored = photo.image.read()
    assert b"<?php" not in stored
    assert stored.endswith(b"\xff\xd9")


def test_a_script_in_a_jpeg_comment_or_a_png_text_chunk_does_not_survive():
    # Given a JPEG whose comment segment, and a PNG whose "comment" text chunk, hold PHP
    # (Pillow keeps both in `info`, and its JPEG writer would write the comment back)
    jpeg = image_bytes("JPEG", comment=PHP)
    text = PngImagePlugin.PngInfo()
    text.add_text("comment", PHP.decode())
    png = image_bytes("PNG", pnginfo=text)
    for name, data in (("com.jpg", jpeg), ("text.png", png)):
        assert PHP in data
        # When each is cleaned
        photo = clean_photo(upload(name, data))
        # Then neither the photo nor its thumbnail carries the script or any comment
        for stored in (photo.image, photo.thumbnail):
            stored.seek(0)
            content = stored.read()
            assert b"<?php" not in content
            assert "comment" not in reopen(stored).info


def test_png_and_webp_are_accepted_and_stored_as_jpeg_with_generated_names():
    for fmt, name in (("PNG", "a.png"), ("WEBP", "b.webp")):
        photo = clean_photo(upload(name, image_bytes(fmt)))
        assert reopen(photo.image).format == "JPEG"
        assert photo.image.name.endswith(".jpg") and name not in photo.image.name
        assert len(photo.image.name) == len("0123456789abcdef0123456789abcdef.jpg")


def test_transparent_png_is_flattened_on_white():
    photo = clean_photo(upload("t.png", image_bytes("PNG", color=(0, 0, 0, 0), alpha=True)))
    assert reopen(photo.image).convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_default_limits_store_2048_px_and_a_480_px_thumbnail():
    photo = clean_photo(upload("big.jpg", image_bytes("JPEG", size=(2400, 1200))))
    assert max(reopen(photo.thumbnail).size) <= 480
    assert reopen(photo.image).size == (2048, 1024)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("shell.php.jpg", PHP, "photo_not_image"),
        ("drawing.svg", SVG, "photo_not_image"),
        ("anim.jpg", image_bytes("GIF"), "photo_not_image"),
        ("cut.jpg", truncated_jpeg(), "photo_damaged"),
        ("bomb.png", png_bomb(), "photo_too_many_pixels"),
    ],
    ids=["php-named-jpg", "svg", "gif-renamed-jpg", "truncated-jpeg", "100-megapixel-png"],
)
def test_bad_files_are_refused_with_a_message_naming_them(name, data, code):
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload(name, data, content_type="image/jpeg"))
    assert codes(caught.value) == [code]
    assert name in caught.value.messages[0]


def test_the_100_megapixel_png_is_only_a_few_kilobytes():
    assert len(png_bomb()) < 200_000


def test_a_photo_over_the_byte_limit_is_refused_before_decoding():
    big = upload("huge.jpg", b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as caught:
        clean_photo(big)
    assert codes(caught.value) == ["photo_too_large"]


def test_each_app_passes_its_own_limits_and_the_message_states_them():
    # Given limits of half a megabyte, 2 megapixels, 10 px stored and no thumbnail
    limits = PhotoLimits(
        max_bytes=512 * 1024, max_pixels=2_000_000, longest_side=10, thumbnail_size=None
    )
    # Then a 600 KB file and a 2000x1100 photo are refused, each message stating the limit
    with pytest.raises(ValidationError) as too_big:
        clean_photo(upload("a.jpg", image_bytes("JPEG") + b"\x00" * 600 * 1024), limits)
    with pytest.raises(ValidationError) as too_many:
        clean_photo(upload("b.png", image_bytes("PNG", size=(2000, 1100))), limits)
    with translation.override("zh-hans"):
        assert too_big.value.messages == ["照片“a.jpg”超过 0.5 MB。"]
        assert too_many.value.messages == ["照片“b.png”超过 2 百万像素。"]
    # And a photo within them is stored at 10 px on its longest side, without a thumbnail
    photo = clean_photo(upload("c.png", image_bytes("PNG", size=(30, 20))), limits)
    assert reopen(photo.image).size == (10, 7) and photo.thumbnail is None


def test_five_megabytes_reads_as_5_mb_in_the_message():
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload("huge.jpg", b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024 + 1)))
    with translation.override("zh-hans"):
        assert caught.value.messages == ["照片“huge.jpg”超过 5 MB。"]
    with translation.override("en"):
        assert caught.value.messages == ["Photo “huge.jpg” is larger than 5 MB."]


def test_a_bomb_above_pillows_own_limit_is_refused(monkeypatch):
    # Pillow's decompression-bomb warning is an error even when our own limit is set higher.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload("warn.png", image_bytes("PNG", size=(40, 30))), PhotoLimits(10**12))
    assert codes(caught.value) == ["photo_too_many_pixels"]


def test_a_path_in_the_file_name_is_shown_as_its_base_name_and_never_used():
    uploaded = upload("../../etc/passwd.jpg", image_bytes("JPEG"))
    assert display_name(uploaded) == "passwd.jpg"
    photo = clean_photo(uploaded)
    assert ".." not in photo.image.name and "passwd" not in photo.image.name


# --- the form field ------------------------------------------------------------------------------


class TwoPhotos(forms.Form):
    photos = PhotosField(max_count=2, limits=lambda: PhotoLimits(thumbnail_size=None))


def test_the_field_names_every_bad_file_and_counts_the_photos():
    bad = TwoPhotos(files={"photos": [upload("x.svg", SVG), upload("y.jpg", truncated_jpeg())]})
    assert not bad.is_valid()
    assert [e.code for e in bad.errors.as_data()["photos"]] == ["photo_not_image", "photo_damaged"]
    assert "x.svg" in str(bad.errors) and "y.jpg" in str(bad.errors)
    three = TwoPhotos(files={"photos": [upload(f"{n}.jpg", image_bytes()) for n in "abc"]})
    assert not three.is_valid() and three.errors.as_data()["photos"][0].code == "too_many_photos"
    good = TwoPhotos(files={"photos": [upload("a.jpg", image_bytes())]})
    assert good.is_valid()
    [photo] = good.cleaned_data["photos"]
    assert reopen(photo.image).format == "JPEG" and photo.thumbnail is None
    assert 'accept="image/jpeg,image/png,image/webp"' in str(good["photos"])


# --- files follow the transaction ------------------------------------------------------------


def stored_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_files_written_in_a_failing_block_are_deleted(db):
    photo = clean_photo(upload("a.jpg", image_bytes()))
    with pytest.raises(ZeroDivisionError), files_removed_on_rollback() as files:
        name = files.save(DutyReportPhoto().image, photo.image)
        assert stored_path(name).is_file()
        1 / 0  # noqa: B018 - any error after the file is written
    assert files_under_media_root() == []


def test_the_block_must_be_the_outermost_transaction(db):
    # Inside another transaction, a clean exit would not mean COMMIT: refused at once.
    with (
        pytest.raises(RuntimeError, match="durable"),
        transaction.atomic(),
        files_removed_on_rollback(),
    ):
        pass


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_later_commit_hook_keeps_the_committed_files(postgres):
    photo = clean_photo(upload("a.jpg", image_bytes()))

    def failing_hook():
        raise RuntimeError("a notification failed after COMMIT")

    with pytest.raises(RuntimeError, match="after COMMIT"), files_removed_on_rollback() as files:
        make_user(email="kept@example.cn")
        name = files.save(DutyReportPhoto().image, photo.image)
        transaction.on_commit(failing_hook)
    # The row committed, so its file stays.
    assert get_user_model().objects.filter(email="kept@example.cn").exists()
    assert files_under_media_root() == [stored_path(name)]
