"""Service-record photos in the admin: shown as taken, never uploaded there (the record page
checks and re-encodes them), and a photo staff remove, alone or with its record, leaves
storage once the deletion commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from members.images import clean_photo
from services import actions
from services.forms import RECORD_PHOTO_LIMITS
from services.models import RecordPhoto, ServiceRecord
from tests.photo_uploads import (
    admin_form_deleting_photos,
    database_refuses,
    files_under_media_root,
    image_bytes,
    upload,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def record(postgres, service, organisation, contact) -> ServiceRecord:
    photos = [clean_photo(upload(n, image_bytes()), RECORD_PHOTO_LIMITS) for n in ("a", "b")]
    return actions.record_service(
        service=service,
        organisation=organisation,
        delivered_on=timezone.localdate(),
        people_served=26,
        by=contact,
        notes="青年联谊",
        photos=photos,
    )


def stored(photo: RecordPhoto) -> Path:
    return Path(settings.MEDIA_ROOT) / photo.image.name


def test_photos_are_shown_not_uploaded_in_the_admin(record, client, staff):
    client.force_login(staff)
    for url in (
        reverse("admin:services_servicerecord_change", args=[record.pk]),
        reverse("admin:services_servicerecord_add"),
    ):
        page = client.get(url)
        assert 'type="file"' not in page.content.decode()
        (inline,) = page.context["inline_admin_formsets"]
        assert not inline.has_add_permission and not inline.has_change_permission
    html = client.get(reverse("admin:services_servicerecord_change", args=[record.pk])).content
    for photo in record.photos.all():
        assert f'<img src="{photo.image.url}"'.encode() in html


def test_a_photo_removed_in_the_admin_leaves_storage(record, client, staff):
    gone, kept = record.photos.order_by("pk")
    assert files_under_media_root() == sorted([stored(gone), stored(kept)])
    client.force_login(staff)
    url = reverse("admin:services_servicerecord_change", args=[record.pk])

    response = client.post(url, admin_form_deleting_photos(client.get(url), deleted={gone.pk}))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(record.photos.all()) == [kept]
    assert files_under_media_root() == [stored(kept)]


def test_a_removal_that_rolls_back_keeps_the_file(record, client, staff):
    photos = list(record.photos.order_by("pk"))
    client.force_login(staff)
    url = reverse("admin:services_servicerecord_change", args=[record.pk])
    data = admin_form_deleting_photos(client.get(url), deleted={photos[0].pk})

    with (
        database_refuses("services_recordphoto", event="DELETE"),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        client.post(url, data)

    assert record.photos.count() == 2
    assert files_under_media_root() == sorted(stored(p) for p in photos)


@pytest.mark.parametrize("door", ["delete_view", "delete_selected"])
def test_a_record_deleted_in_the_admin_takes_its_photo_files(door, record, client, staff):
    assert len(files_under_media_root()) == 2
    client.force_login(staff)

    if door == "delete_view":
        url = reverse("admin:services_servicerecord_delete", args=[record.pk])
        response = client.post(url, {"post": "yes"})
    else:
        response = client.post(
            reverse("admin:services_servicerecord_changelist"),
            {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not ServiceRecord.objects.exists() and not RecordPhoto.objects.exists()
    assert files_under_media_root() == []


def test_a_record_delete_that_rolls_back_keeps_the_files(record, client, staff):
    client.force_login(staff)
    url = reverse("admin:services_servicerecord_delete", args=[record.pk])

    with (
        database_refuses("services_servicerecord", event="DELETE"),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        client.post(url, {"post": "yes"})

    assert RecordPhoto.objects.count() == 2 and len(files_under_media_root()) == 2
