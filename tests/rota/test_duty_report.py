"""Filing a duty report after the week, with photos; a missing report is flagged."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image

from members.images import clean_photo
from members.refusals import Refused
from rota import actions
from rota.forms import REPORT_PHOTO_LIMITS
from rota.models import DutyReport, DutyWeek
from tests.rota.conftest import make_org, make_week


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def week(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0))
    return make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))


def test_contact_files_a_report_with_photos_and_the_week_is_done(week, client):
    client.force_login(week.organisation.backup_contact)
    response = client.post(
        reverse("rota:report_new", args=[week.pk]),
        {
            "summary": "青年联谊会一场，政策咨询 12 人次",
            "services_delivered": 3,
            "participants": 40,
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
        },
    )
    assert response.status_code == 302
    report = DutyReport.objects.get(duty_week=week)
    assert (report.services_delivered, report.participants, report.photos.count()) == (3, 40, 2)
    week.refresh_from_db()
    assert week.status == DutyWeek.Status.DONE


def test_a_file_that_is_not_an_image_is_refused_and_nothing_saved(week, client):
    client.force_login(week.organisation.duty_contact)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        reverse("rota:report_new", args=[week.pk]),
        {"summary": "活动", "services_delivered": 1, "participants": 1, "photos": [bad]},
    )
    assert response.status_code == 200
    assert "“x.jpg”不是 JPEG、PNG 或 WebP 照片。" in response.content.decode()
    assert not DutyReport.objects.exists()


def test_report_before_the_week_and_twice_are_refused(week, time_machine):
    contact = week.organisation.duty_contact
    future = make_week(week.organisation, dt.date(2026, 4, 6))
    with pytest.raises(Refused) as early:
        actions.file_duty_report(
            duty_week=future, by=contact, summary="x", services_delivered=0, participants=0
        )
    assert early.value.code == "early"
    actions.file_duty_report(
        duty_week=week, by=contact, summary="x", services_delivered=1, participants=2
    )
    with pytest.raises(Refused) as twice:
        actions.file_duty_report(
            duty_week=week, by=contact, summary="y", services_delivered=1, participants=2
        )
    assert twice.value.code == "duplicate"


def test_other_organisations_week_is_404(week, client):
    client.force_login(make_org().duty_contact)
    assert client.get(reverse("rota:report_new", args=[week.pk])).status_code == 404


def test_missing_report_is_flagged_on_the_contacts_page(week, client):
    client.force_login(week.organisation.duty_contact)
    page = client.get(reverse("rota:my_rota")).content.decode()
    missing = gettext("Report missing")  # 报告未交
    assert missing != "Report missing"
    assert missing in page
    assert list(DutyWeek.objects.ended_without_report(dt.date(2026, 3, 25))) == [week]
    actions.file_duty_report(
        duty_week=week,
        by=week.organisation.duty_contact,
        summary="x",
        services_delivered=1,
        participants=1,
    )
    assert missing not in client.get(reverse("rota:my_rota")).content.decode()
    assert not DutyWeek.objects.ended_without_report(dt.date(2026, 3, 25)).exists()


def test_photos_are_reencoded_without_location_data(week):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 32.0, 0.0)}  # GPSInfo: latitude
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (3000, 1000), "blue").save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("gps.jpg", buffer.getvalue(), content_type="image/jpeg")
    photo = clean_photo(upload, REPORT_PHOTO_LIMITS)
    report = actions.file_duty_report(
        duty_week=week,
        by=week.organisation.duty_contact,
        summary="活动",
        services_delivered=1,
        participants=1,
        photos=[photo],
    )
    # Image.open leaves a file object it was given open: the field file closes it here.
    with report.photos.get().image.open("rb") as stored_file, Image.open(stored_file) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 2000
        assert not stored.getexif()
