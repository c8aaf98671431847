"""Duty-report photos are re-encoded: location and other metadata never leave the phone."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
MAX_SIDE = 2000


def reencode(upload) -> ContentFile:
    """Return the photo as a JPEG of at most MAX_SIDE pixels a side, without EXIF (GPS)."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The photo is too large."), code="pixels")
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The file is not a photo we can read."), code="image") from exc
    return ContentFile(out.getvalue(), name="photo.jpg")
