"""Service-record photos get the portal's photo checks, and no file outlives a failed record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from members.images import clean_photo
from services import actions
from services.forms import RECORD_PHOTO_LIMITS
from services.models import RecordPhoto, ServiceRecord
from tests.photo_uploads import (
    PHP,
    SVG,
    database_refuses,
    files_under_media_root,
    gps_exif,
    image_bytes,
    noisy_png,
    png_bomb,
    truncated_jpeg,
    upload,
)

NOTES = "第三场青年联谊，园区单身青年 26 人"


@pytest.fixture
def post_record(client, service, organisation, contact):
    client.force_login(contact)

    def post(*photos, organisation_pk=None):
        return client.post(
            reverse("services:record_new"),
            {
                "service": service.pk,
                "organisation": organisation_pk or organisation.pk,
                "delivered_on": timezone.localdate().isoformat(),
                "people_served": 26,
                "notes": NOTES,
                "photos": list(photos),
            },
        )

    return post


def assert_nothing_saved() -> None:
    assert not ServiceRecord.objects.exists()
    assert not RecordPhoto.objects.exists()
    assert files_under_media_root() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("shell.jpg", PHP, "“shell.jpg”不是 JPEG、PNG 或 WebP 照片。"),
        ("drawing.svg", SVG, "“drawing.svg”不是 JPEG、PNG 或 WebP 照片。"),
        ("cut.jpg", truncated_jpeg(), "照片“cut.jpg”已损坏或不完整，请重新选择。"),
        ("big.png", noisy_png(5.2), "照片“big.png”超过 5 MB。"),
        ("bomb.png", png_bomb(), "照片“bomb.png”超过 40 百万像素。"),
    ],
    ids=["php-renamed-jpg", "svg", "truncated-jpeg", "over-5-mb", "100-megapixel-png"],
)
def test_a_bad_photo_is_refused_in_chinese_and_the_typed_record_comes_back(
    post_record, name, data, message
):
    # When the contact records a service with one bad file (and one good one)
    response = post_record(upload(name, data), upload("good.jpg", image_bytes()))
    # Then the form comes back with the reason, naming the file, and what was typed
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert response.context["form"].data["notes"] == NOTES
    assert NOTES in page and 'value="26"' in page
    # And it names both photos to choose again, since a browser cannot be sent files back
    assert response.context["photos_to_choose_again"] == [name, "good.jpg"]
    assert "出错后无法保留已选文件，请重新选择这些照片" in page
    # And nothing was saved, not even the good photo's file
    assert_nothing_saved()


def test_the_too_large_photo_is_a_real_image_over_5_mb():
    data = noisy_png(5.2)
    assert len(data) > RECORD_PHOTO_LIMITS.max_bytes
    assert Image.open(io.BytesIO(data)).format == "PNG"


@pytest.mark.django_db
def test_every_bad_file_is_named_at_once(post_record):
    page = post_record(upload("a.svg", SVG), upload("b.jpg", truncated_jpeg())).content.decode()
    assert "“a.svg”不是" in page and "照片“b.jpg”已损坏" in page
    assert_nothing_saved()


@pytest.mark.django_db
def test_more_than_six_photos_are_refused(post_record):
    photos = [upload(f"{n}.jpg", image_bytes()) for n in range(7)]
    page = post_record(*photos).content.decode()
    assert "最多选择 6 张照片，您选择了 7 张。" in page
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_record_the_action_refuses_asks_for_its_photos_again(
    client, post_record, staff, other_organisation
):
    # Given centre staff choose an organisation that does not provide the service
    client.force_login(staff)
    # When they record it with a good photo
    response = post_record(upload("合影.jpg", image_bytes()), organisation_pk=other_organisation.pk)
    # Then the action's reason is shown with the typed notes, and no file was written
    assert response.status_code == 200
    page = response.content.decode()
    assert "晨曦社工 不提供“青年联谊会”服务。" in page
    assert NOTES in page
    assert response.context["photos_to_choose_again"] == ["合影.jpg"]
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_phones_location_and_camera_data_are_stripped(post_record):
    # Given a phone photo with GPS and camera make and model
    data = image_bytes("JPEG", size=(3000, 1000), exif=gps_exif().tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    # When it is sent with the record
    assert post_record(upload("IMG_2001.jpg", data)).status_code == 302
    # Then the stored file is a fresh JPEG of 2000 px without any EXIF, under a generated name
    stored = RecordPhoto.objects.get(record=ServiceRecord.objects.get())
    path = Path(settings.MEDIA_ROOT) / stored.image.name
    assert files_under_media_root() == [path]
    assert stored.image.name.startswith("services/records/")
    assert "IMG_2001" not in stored.image.name
    with Image.open(path) as img:
        assert img.format == "JPEG" and max(img.size) == 2000
        assert dict(img.getexif()) == {} and "exif" not in img.info


# --- files follow the transaction (PostgreSQL, real commits) -----------------------------------


def record_with_photos(service, organisation, contact, *photo_names) -> ServiceRecord:
    photos = [clean_photo(upload(n, image_bytes()), RECORD_PHOTO_LIMITS) for n in photo_names]
    return actions.record_service(
        service=service,
        organisation=organisation,
        delivered_on=timezone.localdate(),
        people_served=26,
        by=contact,
        notes=NOTES,
        photos=photos,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("at_commit", [False, True], ids=["first-photo-row", "at-commit"])
def test_a_record_whose_transaction_fails_leaves_no_photo_file(
    postgres, service, organisation, contact, at_commit
):
    # Given the database refuses the photo rows, at once (after the first file was written)
    # or only at COMMIT (after every file was written)
    with (
        database_refuses("services_recordphoto", at_commit=at_commit),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        # When the service is recorded with two photos
        record_with_photos(service, organisation, contact, "a.jpg", "b.jpg")
    # Then nothing is saved and no file remains under MEDIA_ROOT
    assert_nothing_saved()


@pytest.mark.django_db(transaction=True)
def test_a_committed_record_keeps_its_photo_files(postgres, service, organisation, contact):
    record = record_with_photos(service, organisation, contact, "a.jpg", "b.jpg")
    names = sorted(p.image.name for p in RecordPhoto.objects.filter(record=record))
    assert len(names) == 2
    assert files_under_media_root() == [Path(settings.MEDIA_ROOT) / n for n in names]
