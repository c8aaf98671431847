"""The rota admin as the roles use it: what an alliance contact may correct, what stays history.

Given an alliance contact (the role's group, admin access) of one organisation and centre
staff (the role's group, not a superuser), when they use the admin's forms and actions, then
the rows change only where the role allows and only through the rota's actions.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from rota import actions
from rota.models import DutyReport, DutyReportPhoto, Organisation, SwapRequest
from tests.conftest import make_user
from tests.rota.conftest import make_org, make_week


def role_user(email: str, role: roles.Role, phone: str):
    user = make_user(email=email, phone=phone, staff=True)
    user.groups.add(roles.group_of(role))
    return user


@pytest.fixture
def people(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    roles.setup_roles()
    contact = role_user("contact@example.cn", roles.ALLIANCE_CONTACT, "13500000201")
    centre = role_user("centre@example.cn", roles.CENTRE_STAFF, "13500000202")
    own = make_org("团县委", kind=Organisation.Kind.COUNTY_BUREAU)
    own.duty_contact = contact
    own.save()
    other = make_org("晨曦社工")
    return {"contact": contact, "centre": centre, "own": own, "other": other}


def report_for(week, by) -> DutyReport:
    return DutyReport.objects.create(
        duty_week=week, summary="红色论坛一次", services_delivered=1, participants=20, filed_by=by
    )


def report_form(report: DutyReport, **changes) -> dict:
    data = {
        "summary": report.summary,
        "services_delivered": report.services_delivered,
        "participants": report.participants,
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def test_contact_corrects_their_report_but_cannot_move_it_to_another_week(client, people):
    own_week = make_week(people["own"], dt.date(2026, 2, 23))
    other_week = make_week(people["other"], dt.date(2026, 2, 16))
    report = report_for(own_week, people["contact"])
    client.force_login(people["contact"])
    url = reverse("admin:rota_dutyreport_change", args=[report.pk])

    response = client.post(
        url,
        report_form(report, summary="红色论坛两次", participants=35, duty_week=other_week.pk),
    )

    assert response.status_code == 302, response.content[:500]
    report.refresh_from_db()
    assert (report.summary, report.participants) == ("红色论坛两次", 35)
    # The week and who filed it are shown, not editable: a posted week id is ignored.
    assert (report.duty_week, report.filed_by) == (own_week, people["contact"])


def test_reports_are_neither_added_nor_deleted_in_the_admin(client, people):
    report = report_for(make_week(people["own"], dt.date(2026, 2, 23)), people["contact"])
    client.force_login(people["centre"])
    assert client.get(reverse("admin:rota_dutyreport_add")).status_code == 403
    delete = reverse("admin:rota_dutyreport_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DutyReport.objects.filter(pk=report.pk).exists()


def test_report_photos_are_shown_but_not_uploaded_in_the_admin(client, people):
    report = report_for(make_week(people["own"], dt.date(2026, 2, 23)), people["contact"])
    DutyReportPhoto.objects.create(
        report=report, image=SimpleUploadedFile("a.jpg", b"not checked here")
    )
    client.force_login(people["contact"])
    page = client.get(reverse("admin:rota_dutyreport_change", args=[report.pk]))
    formset = page.context["inline_admin_formsets"][0]
    assert len(formset.formset.forms) == 1  # the contact sees the photo of their report
    assert not formset.has_add_permission  # uploads go through the report page only
    assert not formset.has_change_permission


def test_contact_cannot_reach_another_organisations_report(client, people):
    report = report_for(make_week(people["other"], dt.date(2026, 2, 23)), None)
    client.force_login(people["contact"])
    url = reverse("admin:rota_dutyreport_change", args=[report.pk])
    assert client.post(url, report_form(report, summary="改写")).status_code == 404
    report.refresh_from_db()
    assert report.summary == "红色论坛一次"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.object_id, event.user) == (str(report.pk), people["contact"])


def test_feed_url_actions_are_for_staff_contacts_use_their_page(client, people):
    own = people["own"]
    changelist = reverse("admin:rota_organisation_changelist")
    client.force_login(people["contact"])
    page = client.get(changelist)
    assert 'value="rotate_feed"' not in page.content.decode()
    client.post(changelist, {"action": "rotate_feed", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.feed_token is None

    client.force_login(people["centre"])
    assert 'value="rotate_feed"' in client.get(changelist).content.decode()
    client.post(changelist, {"action": "rotate_feed", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.feed_token


def swap(people) -> SwapRequest:
    mine = make_week(people["own"], dt.date(2026, 3, 16))
    theirs = make_week(people["other"], dt.date(2026, 3, 23))
    return actions.request_swap(from_week=mine, to_week=theirs, by=people["contact"])


def test_swap_requests_are_history_nobody_deletes(client, people):
    request = swap(people)
    client.force_login(people["centre"])
    delete = reverse("admin:rota_swaprequest_delete", args=[request.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:rota_swaprequest_changelist")).content.decode()
    assert 'value="reject"' in page
    assert 'value="delete_selected"' not in page
    assert SwapRequest.objects.filter(pk=request.pk).exists()


def test_staff_reject_a_swap_through_the_action(client, people):
    request = swap(people)
    client.force_login(people["centre"])
    client.post(
        reverse("admin:rota_swaprequest_changelist"),
        {"action": "reject", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("rejected", people["centre"])


def test_contact_sees_both_sides_of_swaps_but_cannot_decide(client, people):
    request = swap(people)
    client.force_login(people["contact"])
    changelist = reverse("admin:rota_swaprequest_changelist")
    page = client.get(changelist)
    assert list(page.context["cl"].result_list) == [request]
    assert 'value="approve"' not in page.content.decode()
    client.post(changelist, {"action": "reject", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.status == "requested"
