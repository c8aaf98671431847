"""Uploaded photos for the whole portal: check, re-encode, and store only if the data commits.

It lives in `members`, the lowest layer, because every app that takes photos (`rota` for
duty reports, `wishes` for the wall) must import one implementation, and the import-linter
layers forbid a lower app importing a higher one; `members` already hosts the other
portal-wide building blocks (the audit trail, masking). Each app passes its own limits.

1. `clean_photo` accepts a photo only when Pillow decodes it fully as JPEG, PNG or WebP
   (whatever its name or declared type says), within the byte and pixel limits, and
   re-encodes it as a fresh upright JPEG: no EXIF, GPS, comments, ICC profiles or trailing
   bytes (a PHP script appended to a JPEG, say) reach the storage. Names are generated.

   Bytes after a JPEG's end-of-image marker are accepted, not refused, and the uploader is
   not told (a lead's decision, issue 13): ordinary phone photos carry them - Samsung, Xiaomi
   and Google "motion photos" append an MP4 after the marker, some cameras append maker
   data - so refusing trailing data would refuse members' ordinary photos. The re-encoding is
   the defence: only decoded pixels are written, so whatever followed the image (a video, or
   `<?php ... ?>` making the file a polyglot) is dropped and never stored or served.
2. `PhotosField` is the form field: several photos in one picker, each cleaned, every bad file
   named in a message, so the form is shown again with what the person typed.
3. `files_removed_on_rollback` opens the action's transaction and writes the files inside it;
   if the transaction does not commit, the files it wrote are deleted (see its docstring).
4. `remove_files_after_commit` is the other way round: a photo row deleted (by staff in the
   admin, or with its report or record) takes its files with it once the deletion commits,
   so a photo taken down is not left reachable at its address.
"""

from __future__ import annotations

import contextlib
import io
import logging
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# What the file picker offers; the server decides by decoding, never by this.
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"
JPEG_QUALITY = 85
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class PhotoLimits:
    """What one app accepts per photo and how large it stores it."""

    max_bytes: int = 5 * MEGABYTE
    max_pixels: int = 40_000_000
    # Phones send 4000 px and more; no page needs more than this on the longest side.
    longest_side: int = 2048
    # None: the app shows the photo itself and stores no thumbnail.
    thumbnail_size: tuple[int, int] | None = (480, 480)


@dataclass(frozen=True)
class CleanPhoto:
    image: ContentFile
    thumbnail: ContentFile | None
    width: int
    height: int


def display_name(uploaded) -> str:
    """The uploaded file's base name for messages (never for storage), shortened."""
    raw = str(getattr(uploaded, "name", "") or "")
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return base[:60] or str(_("(no name)"))


def _number(value: float) -> str:
    return f"{value:g}"


def _error(message, code: str, name: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params={"name": name, **params})


def _too_many_pixels(name: str, max_pixels: int) -> ValidationError:
    return _error(
        _("Photo “%(name)s” has more than %(megapixels)s megapixels."),
        "photo_too_many_pixels",
        name,
        megapixels=_number(max_pixels / 1_000_000),
    )


def clean_photo(uploaded, limits: PhotoLimits | None = None) -> CleanPhoto:
    """Decode, check and re-encode one uploaded photo; raise ValidationError naming the file."""
    limits = limits or PhotoLimits()
    name = display_name(uploaded)
    if uploaded.size > limits.max_bytes:
        raise _error(
            _("Photo “%(name)s” is larger than %(megabytes)s MB."),
            "photo_too_large",
            name,
            megabytes=_number(limits.max_bytes / MEGABYTE),
        )
    uploaded.seek(0)
    data = uploaded.read()
    try:
        # Warnings become errors only here: Pillow warns of decompression bombs above
        # MAX_IMAGE_PIXELS and raises above twice that; both are refusals for us.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as img:
                width, height = img.size
                if width * height > limits.max_pixels:
                    raise _too_many_pixels(name, limits.max_pixels)
                img.load()  # decodes every byte: truncated or corrupt files fail here
                # Whatever follows a JPEG's end-of-image marker is not read and not refused
                # (motion photos put their video there); re-encoding drops it, see point 1.
                upright = ImageOps.exif_transpose(img)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        pillow_limit = Image.MAX_IMAGE_PIXELS or limits.max_pixels
        raise _too_many_pixels(name, min(limits.max_pixels, pillow_limit)) from exc
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
    return _reencode(upright, limits)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB pixels only, with no metadata; transparent areas become white as on a paper wall."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    pixels = img.convert("RGB")
    # `convert` copies the source's `info`, and Pillow's JPEG writer takes the comment from
    # it: a JPEG comment segment or a PNG "comment" text chunk - where polyglot files hide
    # their script - would be written into the new file. Nothing of the source's is kept.
    pixels.info = {}
    return pixels


def _jpeg(img: Image.Image, stem: str, suffix: str) -> ContentFile:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file carries pixels only.
    img.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{stem}{suffix}.jpg")


def _reencode(img: Image.Image, limits: PhotoLimits) -> CleanPhoto:
    pixels = _flatten(img)
    if max(pixels.size) > limits.longest_side:
        side = limits.longest_side
        pixels.thumbnail((side, side), Image.Resampling.LANCZOS)
    thumbnail = None
    stem = uuid.uuid4().hex
    if limits.thumbnail_size:
        thumb = pixels.copy()
        thumb.thumbnail(limits.thumbnail_size, Image.Resampling.LANCZOS)
        thumbnail = _jpeg(thumb, stem, "-thumb")
    return CleanPhoto(
        image=_jpeg(pixels, stem, ""),
        thumbnail=thumbnail,
        width=pixels.width,
        height=pixels.height,
    )


# --- the form field ------------------------------------------------------------------------


def photo_names(files) -> list[str]:
    """The chosen files' base names, for "please choose these photos again"."""
    return [display_name(f) for f in files if f]


class PhotoFormMixin(forms.Form):
    """A form with a `photos` field names the files sent, to choose again after an error.

    A browser cannot be given files back: after any error nothing is saved and the re-shown
    form (or the page a step returns to) keeps only the typed fields.
    """

    def chosen_photo_names(self) -> list[str]:
        return photo_names(self.files.getlist(self.add_prefix("photos")))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one picker (phones choose several at once); cleans to `CleanPhoto`s.

    `limits` may be a callable, read at every clean, so limits taken from settings follow
    the settings in force. Every bad file is named, not just the first.
    """

    widget = MultiplePhotoInput

    def __init__(
        self,
        *args,
        max_count: int,
        limits: PhotoLimits | Callable[[], PhotoLimits] | None = None,
        **kwargs,
    ):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.max_count = max_count
        self.limits = limits or PhotoLimits()
        self.widget.attrs.update({"accept": ACCEPT_ATTRIBUTE})

    def clean(self, data, initial=None) -> list[CleanPhoto]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > self.max_count:
            raise ValidationError(
                _("Choose at most %(max)d photos; you chose %(count)d."),
                code="too_many_photos",
                params={"max": self.max_count, "count": len(files)},
            )
        limits = self.limits() if callable(self.limits) else self.limits
        cleaned, errors = [], []
        for uploaded in files:
            try:
                cleaned.append(clean_photo(uploaded, limits))
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return cleaned


# --- storing: files follow the transaction -------------------------------------------------


class StagedFiles:
    """The files written inside one `files_removed_on_rollback` block."""

    def __init__(self) -> None:
        self.written: list[tuple[Storage, str]] = []
        self.committed = False

    def save(self, field_file: FieldFile, content: ContentFile) -> str:
        """Write `content` into the model's file field now, remembered for a rollback.

        Call it before saving the row: the field's `upload_to` names the file, and the row
        then stores only that name (Django does not write a committed file twice).
        """
        field_file.save(cast(str, content.name), content, save=False)
        name = cast(str, field_file.name)  # set by save()
        self.written.append((field_file.storage, name))
        return name

    def save_photos(self, photos: Iterable[CleanPhoto], new_row: Callable[[], Any]) -> None:
        """One row per photo: `new_row()` makes it (its parent set), its `image` is written
        here, then the row is saved."""
        for photo in photos:
            row = new_row()
            self.save(row.image, photo.image)
            row.save()

    def _mark_committed(self) -> None:
        self.committed = True

    def _delete(self) -> None:
        for storage, name in self.written:
            try:
                storage.delete(name)
            except OSError:
                # The rollback's own error is the one to report; a leftover file only costs
                # disk space, so it is logged (name only, never the photo) and left.
                logger.warning("photo_file_not_removed", extra={"file_name": name})


@contextlib.contextmanager
def files_removed_on_rollback(*, using: str | None = None) -> Iterator[StagedFiles]:
    """Open the outermost transaction; delete the files written in it unless it commits.

    Why files are written inside the transaction and deleted on rollback, rather than written
    in `transaction.on_commit`: a row must never point at a file that does not exist. Written
    after COMMIT, a storage error or a crash between the two would leave a saved wish or report
    whose photos are lost, and the image field could not read the photo's size while saving.
    Written first, the worst case (a crash before the rollback handler runs) is a stray file,
    which costs disk space, not data.

    The block is `durable`: it must be the outermost transaction, so leaving it without an
    exception means COMMIT has happened, and there is no outer transaction that could still
    roll back after the files were declared kept. An `on_commit` hook, registered first so it
    runs before any other, marks the commit: an exception from a later hook (after COMMIT)
    must not delete the files of committed rows.
    """
    files = StagedFiles()
    try:
        with transaction.atomic(using=using, durable=True):
            transaction.on_commit(files._mark_committed, using=using)
            yield files
    except BaseException:
        if not files.committed:
            files._delete()
        raise


# --- deleting: files follow the deletion ---------------------------------------------------


def remove_files_after_commit(rows: Iterable[models.Model], *, using: str | None = None) -> int:
    """Delete the stored files of `rows` (every file field) once the current transaction
    commits; return how many were scheduled. Call it before or after deleting the rows, inside
    the deleting transaction: if it rolls back, the rows come back and so must their files.

    Outside a transaction the files go at once (Django runs `on_commit` hooks immediately).
    """
    names: list[tuple[Storage, str]] = []
    for row in rows:
        for field in row._meta.concrete_fields:
            if isinstance(field, models.FileField):
                stored = getattr(row, field.attname)
                if stored and stored.name:
                    names.append((stored.storage, stored.name))

    def remove() -> None:
        for storage, name in names:
            try:
                storage.delete(name)
            except OSError:
                # The rows are gone; a leftover file costs disk space and is logged to be
                # removed by hand (name only, never the photo).
                logger.warning("photo_file_not_removed", extra={"file_name": name})

    if names:
        transaction.on_commit(remove, using=using)
    return len(names)


class PhotoInlineFormSet(BaseInlineFormSet):
    """An admin inline of photo rows whose deleted rows take their files along (after commit)."""

    def delete_existing(self, obj, commit=True):
        if commit:
            remove_files_after_commit([obj], using=self.queryset.db)
        super().delete_existing(obj, commit=commit)
