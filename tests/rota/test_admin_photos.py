"""Duty-report photos in the admin: shown as filed, never uploaded there, and a photo staff
remove (alone, or with its week) leaves storage once the deletion commits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse

from members.audit import AuditEvent
from members.images import clean_photo
from rota import actions
from rota.forms import REPORT_PHOTO_LIMITS
from rota.models import DutyReport, DutyReportPhoto
from tests.photo_uploads import (
    admin_form_deleting_photos,
    database_refuses,
    files_under_media_root,
    image_bytes,
    upload,
)
from tests.rota.conftest import make_org, make_week

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def report(postgres, time_machine) -> DutyReport:
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0))
    week = make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))
    photos = [clean_photo(upload(n, image_bytes()), REPORT_PHOTO_LIMITS) for n in ("a", "b")]
    return actions.file_duty_report(
        duty_week=week,
        by=week.organisation.duty_contact,
        summary="青年联谊会一场",
        services_delivered=1,
        participants=2,
        photos=photos,
    )


def stored(photo: DutyReportPhoto) -> Path:
    return Path(settings.MEDIA_ROOT) / photo.image.name


def test_photos_are_shown_not_uploaded_in_the_admin(report, client, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:rota_dutyreport_change", args=[report.pk]))
    html = page.content.decode()
    for photo in report.photos.all():
        assert f'<img src="{photo.image.url}"' in html
    assert 'type="file"' not in html
    (inline,) = page.context["inline_admin_formsets"]
    assert not inline.has_add_permission and not inline.has_change_permission
    assert inline.has_delete_permission


def test_a_photo_removed_in_the_admin_leaves_storage(report, client, staff):
    gone, kept = report.photos.order_by("pk")
    assert files_under_media_root() == sorted([stored(gone), stored(kept)])
    client.force_login(staff)
    url = reverse("admin:rota_dutyreport_change", args=[report.pk])

    response = client.post(url, admin_form_deleting_photos(client.get(url), deleted={gone.pk}))

    assert response.status_code == 302
    assert list(report.photos.all()) == [kept]
    assert files_under_media_root() == [stored(kept)]
    record = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(gone.pk))
    assert record.details["action"] == "delete"


def test_a_removal_that_rolls_back_keeps_the_file(report, client, staff):
    photos = list(report.photos.order_by("pk"))
    client.force_login(staff)
    url = reverse("admin:rota_dutyreport_change", args=[report.pk])
    data = admin_form_deleting_photos(client.get(url), deleted={photos[0].pk})

    with (
        database_refuses("rota_dutyreportphoto", event="DELETE"),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        client.post(url, data)

    assert report.photos.count() == 2
    assert files_under_media_root() == sorted(stored(p) for p in photos)


def test_a_week_with_a_report_cannot_be_deleted_so_its_photos_stay(report, client, staff):
    # No cascade to handle: the admin refuses to delete a week with its report (reports are
    # never deleted there), so the photos and their files stay.
    client.force_login(staff)
    url = reverse("admin:rota_dutyweek_delete", args=[report.duty_week_id])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert DutyReportPhoto.objects.count() == 2 and len(files_under_media_root()) == 2
