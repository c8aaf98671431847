"""Photo checking and re-encoding: only pixels survive.

A photo is accepted when Pillow decodes it fully as JPEG, PNG or WebP (whatever its name or
declared type says), it is at most 5 MB and 40 megapixels. It is then turned upright from its
EXIF orientation and re-encoded as a fresh JPEG, so no EXIF, GPS, comments, ICC profiles or
trailing bytes (a PHP script appended to a JPEG, say) reach the storage. Names are generated.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# The stored photo's longest side; phones send 4000 px and more, the wall never needs it.
STORED_LONGEST_SIDE = 2048
THUMBNAIL_SIZE = (480, 480)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _error(message, code: str, name: str) -> ValidationError:
    return ValidationError(message, code=code, params={"name": name})


def display_name(uploaded) -> str:
    """The uploaded file's base name for messages (never for storage), shortened."""
    raw = str(getattr(uploaded, "name", "") or "")
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return base[:60] or str(_("(no name)"))


def clean_photo(uploaded) -> CleanPhoto:
    """Decode, check and re-encode one uploaded photo; raise ValidationError naming the file."""
    name = display_name(uploaded)
    if uploaded.size > settings.WISHES_PHOTO_MAX_BYTES:
        raise _error(_("Photo “%(name)s” is larger than 5 MB."), "photo_too_large", name)
    uploaded.seek(0)
    data = uploaded.read()
    try:
        # Warnings become errors only here: Pillow warns of decompression bombs above
        # MAX_IMAGE_PIXELS and raises above twice that; both are refusals for us.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as img:
                width, height = img.size
                if width * height > settings.WISHES_PHOTO_MAX_PIXELS:
                    raise _error(
                        _("Photo “%(name)s” has more than 40 megapixels."),
                        "photo_too_many_pixels",
                        name,
                    )
                img.load()  # decodes every byte: truncated or corrupt files fail here
                upright = ImageOps.exif_transpose(img)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _error(
            _("Photo “%(name)s” has more than 40 megapixels."), "photo_too_many_pixels", name
        ) from exc
    except UnidentifiedImageError as exc:
        raise _error(
            _("“%(name)s” is not a JPEG, PNG or WebP photo."), "photo_not_image", name
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _error(
            _("Photo “%(name)s” is damaged or incomplete; please choose it again."),
            "photo_damaged",
            name,
        ) from exc
    return _reencode(upright)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB pixels only; transparent areas become white as on the paper wall."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _jpeg(img: Image.Image, stem: str, suffix: str) -> ContentFile:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file carries pixels only.
    img.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{stem}{suffix}.jpg")


def _reencode(img: Image.Image) -> CleanPhoto:
    pixels = _flatten(img)
    if max(pixels.size) > STORED_LONGEST_SIDE:
        pixels.thumbnail((STORED_LONGEST_SIDE, STORED_LONGEST_SIDE), Image.Resampling.LANCZOS)
    thumb = pixels.copy()
    thumb.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    return CleanPhoto(
        image=_jpeg(pixels, stem, ""),
        thumbnail=_jpeg(thumb, stem, "-thumb"),
        width=pixels.width,
        height=pixels.height,
    )
