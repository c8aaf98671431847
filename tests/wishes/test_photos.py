"""Photos: decoded whatever the name says, size and pixel limits, only pixels stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from tests.wishes.conftest import gps_exif, image_bytes, upload
from wishes.photos import clean_photo


def codes(exc: ValidationError) -> list[str]:
    return [e.code for e in exc.error_list]


def reopen(content_file) -> Image.Image:
    content_file.seek(0)
    return Image.open(io.BytesIO(content_file.read()))


def tiny_huge_png(width: int = 10_000, height: int = 10_000) -> bytes:
    """A valid 100-megapixel black PNG of a few kilobytes (deflate squeezes the zeros)."""
    raw_row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


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
    data = image_bytes("JPEG") + b"<?php system($_GET['c']); ?>"
    photo = clean_photo(upload("cat.jpg", data))
    photo.image.seek(0)
    stored = photo.image.read()
    assert b"<?php" not in stored
    assert stored.endswith(b"\xff\xd9")


def test_png_and_webp_are_accepted_and_stored_as_jpeg_with_generated_names():
    for fmt, name in (("PNG", "a.png"), ("WEBP", "b.webp")):
        photo = clean_photo(upload(name, image_bytes(fmt)))
        assert reopen(photo.image).format == "JPEG"
        assert photo.image.name.endswith(".jpg") and name not in photo.image.name
        assert len(photo.image.name) == len("0123456789abcdef0123456789abcdef.jpg")


def test_transparent_png_is_flattened_on_white():
    photo = clean_photo(upload("t.png", image_bytes("PNG", color=(0, 0, 0, 0), alpha=True)))
    assert reopen(photo.image).convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_thumbnail_is_small():
    photo = clean_photo(upload("big.jpg", image_bytes("JPEG", size=(2400, 1200))))
    assert max(reopen(photo.thumbnail).size) <= 480
    assert max(reopen(photo.image).size) <= 2048


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("shell.php.jpg", b"<?php echo 'hi'; ?>\n", "photo_not_image"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "photo_not_image",
        ),
        ("anim.jpg", image_bytes("GIF"), "photo_not_image"),
        ("cut.jpg", image_bytes("JPEG", size=(400, 300))[:700], "photo_damaged"),
        ("bomb.png", tiny_huge_png(), "photo_too_many_pixels"),
    ],
    ids=["php-named-jpg", "svg", "gif-renamed-jpg", "truncated-jpeg", "100-megapixel-png"],
)
def test_bad_files_are_refused_with_a_message_naming_them(name, data, code):
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload(name, data, content_type="image/jpeg"))
    assert codes(caught.value) == [code]
    assert name in caught.value.messages[0]


def test_the_100_megapixel_png_is_only_a_few_kilobytes():
    assert len(tiny_huge_png()) < 200_000


def test_a_photo_over_5_mb_is_refused_before_decoding():
    big = upload("huge.jpg", b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as caught:
        clean_photo(big)
    assert codes(caught.value) == ["photo_too_large"]


def test_a_bomb_above_pillows_own_limit_is_refused(monkeypatch):
    # Pillow's decompression-bomb warning is an error even when our own limit is set higher.
    from django.conf import settings

    monkeypatch.setattr(settings, "WISHES_PHOTO_MAX_PIXELS", 10**12)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError) as caught:
        clean_photo(upload("warn.png", image_bytes("PNG", size=(40, 30))))
    assert codes(caught.value) == ["photo_too_many_pixels"]


def test_a_path_in_the_file_name_is_shown_as_its_base_name_and_never_used():
    photo = clean_photo(upload("../../etc/passwd.jpg", image_bytes("JPEG")))
    assert ".." not in photo.image.name and "passwd" not in photo.image.name
