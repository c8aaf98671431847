"""Duty-report photos get the portal's photo checks, and no file outlives a failed report."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse
from PIL import Image

from members.images import clean_photo
from rota import actions
from rota.forms import REPORT_PHOTO_LIMITS
from rota.models import DutyReport, DutyReportPhoto, DutyWeek
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
from tests.rota.conftest import make_org, make_week

SUMMARY = "青年联谊会一场，政策咨询 12 人次"


@pytest.fixture
def week(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0))
    return make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))


@pytest.fixture
def post_report(client, week):
    client.force_login(week.organisation.duty_contact)

    def post(*photos):
        return client.post(
            reverse("rota:report_new", args=[week.pk]),
            {
                "summary": SUMMARY,
                "services_delivered": 3,
                "participants": 40,
                "photos": list(photos),
            },
        )

    return post


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
def test_a_bad_photo_is_refused_in_chinese_and_the_typed_report_comes_back(
    post_report, week, name, data, message
):
    # When the contact sends the report with one bad file (and one good one)
    response = post_report(upload(name, data), upload("good.jpg", image_bytes()))
    # Then the form comes back with the reason, naming the file, and what was typed
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    form = response.context["form"]
    assert form.data["summary"] == SUMMARY
    assert SUMMARY in page and 'value="40"' in page
    # And nothing was saved, not even the good photo's file
    assert not DutyReport.objects.exists()
    assert files_under_media_root() == []
    week.refresh_from_db()
    assert week.status != DutyWeek.Status.DONE


def test_the_too_large_photo_is_a_real_image_over_5_mb():
    data = noisy_png(5.2)
    assert len(data) > 5 * 1024 * 1024
    assert Image.open(io.BytesIO(data)).format == "PNG"


def test_every_bad_file_is_named_at_once(post_report):
    page = post_report(upload("a.svg", SVG), upload("b.jpg", truncated_jpeg())).content.decode()
    assert "“a.svg”不是" in page and "照片“b.jpg”已损坏" in page


def test_a_phones_location_and_camera_data_are_stripped(post_report, week):
    # Given a phone photo with GPS and camera make and model
    data = image_bytes("JPEG", size=(3000, 1000), exif=gps_exif().tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    # When it is sent with the report
    assert post_report(upload("IMG_2001.jpg", data)).status_code == 302
    # Then the stored file is a fresh JPEG of 2000 px without any EXIF, under a generated name
    stored = DutyReportPhoto.objects.get(report__duty_week=week)
    path = Path(settings.MEDIA_ROOT) / stored.image.name
    assert files_under_media_root() == [path]
    assert "IMG_2001" not in stored.image.name
    with Image.open(path) as img:
        assert img.format == "JPEG" and max(img.size) == 2000
        assert dict(img.getexif()) == {} and "exif" not in img.info


# --- files follow the transaction (PostgreSQL, real commits) -----------------------------------


@pytest.fixture
def live_week(postgres, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0))
    return make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))


def file_report(week, *photo_names):
    photos = [clean_photo(upload(n, image_bytes()), REPORT_PHOTO_LIMITS) for n in photo_names]
    return actions.file_duty_report(
        duty_week=week,
        by=week.organisation.duty_contact,
        summary=SUMMARY,
        services_delivered=1,
        participants=2,
        photos=photos,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("at_commit", [False, True], ids=["after-the-photos", "at-commit"])
def test_a_report_whose_transaction_fails_leaves_no_photo_file(live_week, at_commit):
    # Given the database refuses the last step, marking the week done (or the photo rows at
    # COMMIT), after the photo files were written
    table, event = ("rota_dutyreportphoto", "INSERT") if at_commit else ("rota_dutyweek", "UPDATE")
    with (
        database_refuses(table, event=event, at_commit=at_commit),
        pytest.raises(IntegrityError, match="refused by the test"),
    ):
        # When the report is filed with two photos
        file_report(live_week, "a.jpg", "b.jpg")
    # Then nothing is saved and no file remains under MEDIA_ROOT
    assert not DutyReport.objects.exists() and not DutyReportPhoto.objects.exists()
    assert files_under_media_root() == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_report_keeps_its_photo_files(live_week):
    report = file_report(live_week, "a.jpg", "b.jpg")
    names = sorted(p.image.name for p in DutyReportPhoto.objects.filter(report=report))
    assert len(names) == 2
    assert files_under_media_root() == [Path(settings.MEDIA_ROOT) / n for n in names]
    live_week.refresh_from_db()
    assert live_week.status == DutyWeek.Status.DONE
