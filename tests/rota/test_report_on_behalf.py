"""Centre staff file a duty report on an organisation's behalf (it handed in paper).

Given a week of 晨曦社工 that has ended without a report, when centre staff open the week in
the admin and follow "File the duty report on its behalf", then the report page takes their
report through `file_duty_report`, names them as the filer, closes the week and leaves a
record in the audit trail; people who are neither staff nor the organisation's contacts
still cannot file it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from deqing_hub import roles
from members.audit import AuditEvent
from rota.models import DutyReport, DutyWeek
from tests.conftest import make_user
from tests.rota.conftest import make_org, make_week

FORM = {"summary": "纸质报告：红色论坛一场", "services_delivered": 2, "participants": 35}


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("paper.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def centre_staff(db):
    roles.setup_roles()
    user = make_user(email="centre@example.cn", phone="13500000401", staff=True)
    user.groups.add(roles.group_of(roles.CENTRE_STAFF))
    return user


@pytest.fixture
def week(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0))
    return make_week(make_org("晨曦社工"), dt.date(2026, 3, 16))


def test_staff_file_a_report_from_the_weeks_admin_page(client, centre_staff, week):
    client.force_login(centre_staff)
    change = client.get(reverse("admin:rota_dutyweek_change", args=[week.pk])).content.decode()
    url = reverse("rota:report_new", args=[week.pk])
    assert url in change
    page = client.get(url).content.decode()
    assert "代该单位填报" in page
    response = client.post(url, {**FORM, "photos": [png()]})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:rota_dutyweek_change", args=[week.pk])
    report = DutyReport.objects.get(duty_week=week)
    assert (report.filed_by, report.participants, report.photos.count()) == (centre_staff, 35, 1)
    week.refresh_from_db()
    assert week.status == DutyWeek.Status.DONE
    event = AuditEvent.objects.get(details__action="file_duty_report_on_behalf")
    assert (event.user, event.object_id) == (centre_staff, str(report.pk))
    assert event.details["organisation"] == week.organisation_id
    # The admin now shows no button for it any more.
    change = client.get(reverse("admin:rota_dutyweek_change", args=[week.pk])).content.decode()
    assert url not in change


def test_a_second_report_is_refused_with_a_message(client, centre_staff, week):
    client.force_login(week.organisation.duty_contact)
    assert client.post(reverse("rota:report_new", args=[week.pk]), FORM).status_code == 302
    client.force_login(centre_staff)
    response = client.post(reverse("rota:report_new", args=[week.pk]), FORM)
    assert response.status_code == 200
    assert "该周的轮值报告已经提交。" in response.content.decode()
    assert DutyReport.objects.get(duty_week=week).filed_by == week.organisation.duty_contact
    assert not AuditEvent.objects.filter(details__action="file_duty_report_on_behalf").exists()


def test_the_contacts_own_report_is_not_recorded_as_on_behalf(client, week):
    client.force_login(week.organisation.duty_contact)
    response = client.post(reverse("rota:report_new", args=[week.pk]), FORM)
    assert response["Location"] == reverse("rota:my_rota")
    assert not AuditEvent.objects.filter(details__action="file_duty_report_on_behalf").exists()


def test_staff_without_the_rota_role_cannot_file(client, db, week):
    clerk = make_user(email="clerk@example.cn", phone="13500000402", staff=True)
    client.force_login(clerk)
    response = client.post(reverse("rota:report_new", args=[week.pk]), FORM)
    assert response.status_code == 404
    assert not DutyReport.objects.exists()
