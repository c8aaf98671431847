"""Real photo files made with Pillow, the bad uploads every photo form must refuse, and a
PostgreSQL trigger that makes a transaction fail where a test needs it to."""

from __future__ import annotations

import contextlib
import io
import os
import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """Camera make and model and a GPS position (Deqing), as a phone writes them."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 32.0, 45.0)
    gps[3] = "E"
    gps[4] = (119.0, 58.0, 12.0)
    return exif


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A valid 100-megapixel black PNG of a few kilobytes (deflate squeezes the zeros)."""
    raw_row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        return struct.pack(">I", len(payload)) + kind + payload + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def noisy_png(megabytes: float) -> bytes:
    """A real PNG of random pixels (which do not compress) of at least `megabytes` MB."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 16
    img = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


PHP = b"<?php system($_GET['c']); ?>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def truncated_jpeg() -> bytes:
    return image_bytes("JPEG", size=(400, 300))[:700]


def files_under_media_root() -> list[Path]:
    """Every file the storage holds (the tests point MEDIA_ROOT at a temporary folder)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@contextlib.contextmanager
def database_refuses(table: str, *, event: str = "INSERT", at_commit: bool = False):
    """Make PostgreSQL itself refuse `event` on `table`, at once or only at COMMIT.

    A trigger raising a check violation: the same IntegrityError a real constraint gives,
    from the real database, at the step the test chooses. Needs a `transaction=True` test
    (the trigger is created and dropped in autocommit).
    """
    function = "test_refuse_" + table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation'; END $$"
        )
        if at_commit:
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {function} AFTER {event} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER {function} BEFORE {event} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")


def admin_form_deleting_photos(page, deleted: set[int]) -> dict:
    """A change form with a photo inline, posted back as shown with the photos in `deleted`
    ticked for deletion (the inline rows keep their id and parent key)."""
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            value = management.initial.get(name, management[name].value())
            data[f"{formset.prefix}-{name}"] = value
        parent = formset.fk.name
        for photo_form in formset.forms:
            data[f"{photo_form.prefix}-id"] = photo_form.instance.pk
            data[f"{photo_form.prefix}-{parent}"] = getattr(photo_form.instance, f"{parent}_id")
            if photo_form.instance.pk in deleted:
                data[f"{photo_form.prefix}-DELETE"] = "on"
    return data
