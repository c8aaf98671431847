"""record_service: the evidence behind "160+ services" and the ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rota.models import DutyWeek
from services import actions
from services.models import ServiceRecord
from tests.photo_uploads import image_bytes, upload

pytestmark = pytest.mark.django_db


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_a_record_falls_in_the_duty_week_containing_its_date(service, organisation, contact):
    day = timezone.localdate() - dt.timedelta(days=10)
    week = DutyWeek.objects.create(week_start=_monday(day), organisation=organisation)

    record = actions.record_service(
        service=service, organisation=organisation, delivered_on=day, people_served=8, by=contact
    )

    assert record.duty_week == week


def test_a_record_outside_any_duty_week_has_none(service, organisation, staff):
    record = actions.record_service(
        service=service,
        organisation=organisation,
        delivered_on=timezone.localdate(),
        people_served=1,
        by=staff,
    )
    assert record.duty_week is None


@pytest.mark.parametrize(
    ("change", "code"),
    # Dates are worked out when the test runs, from the portal's local date: a date computed
    # at collection would come from the real clock, not the one the test runs at.
    [
        (lambda today: {"delivered_on": today + dt.timedelta(days=1)}, "future"),
        (lambda today: {"people_served": 0}, "people"),
    ],
    ids=["future", "people"],
)
def test_bad_records_are_refused(service, organisation, contact, change, code):
    today = timezone.localdate()
    fields = {"delivered_on": today, "people_served": 3, **change(today)}
    with pytest.raises(ValidationError) as caught:
        actions.record_service(service=service, organisation=organisation, by=contact, **fields)
    assert caught.value.code == code
    assert not ServiceRecord.objects.exists()


def test_only_providers_record_a_service(service, other_organisation, other_contact):
    with pytest.raises(ValidationError) as caught:
        actions.record_service(
            service=service,
            organisation=other_organisation,
            delivered_on=timezone.localdate(),
            people_served=3,
            by=other_contact,
        )
    assert caught.value.code == "not_provider"


def test_a_contact_cannot_record_for_another_organisation(service, organisation, other_contact):
    with pytest.raises(ValidationError) as caught:
        actions.record_service(
            service=service,
            organisation=organisation,
            delivered_on=timezone.localdate(),
            people_served=3,
            by=other_contact,
        )
    assert caught.value.code == "forbidden"


def test_a_contact_records_a_service_with_photos_through_the_page(
    client, service, organisation, contact
):
    client.force_login(contact)
    response = client.post(
        reverse("services:record_new"),
        {
            "service": service.pk,
            "organisation": organisation.pk,
            "delivered_on": timezone.localdate().isoformat(),
            "people_served": 26,
            "notes": "第三场青年联谊",
            "photos": [upload("a.jpg", image_bytes()), upload("b.png", image_bytes("PNG"))],
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.people_served, record.recorded_by) == (26, contact)
    assert record.photos.count() == 2


def test_the_record_page_offers_a_contact_only_their_organisations(
    client, organisation, other_organisation, contact
):
    client.force_login(contact)
    form = client.get(reverse("services:record_new")).context["form"]
    assert list(form.fields["organisation"].queryset) == [organisation]


def test_members_who_are_not_contacts_cannot_record(client, member_user):
    client.force_login(member_user)
    assert client.get(reverse("services:record_new")).status_code == 403
