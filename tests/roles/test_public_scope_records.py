"""Public pages: an id from outside the user's scope is a 404 that leaves an audit record."""

import pytest
from django.urls import reverse

from members.audit import AuditEvent
from tests.conftest import make_user
from wishes.models import Wish

pytestmark = pytest.mark.django_db


def denied_event():
    return AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)


def test_another_organisations_service_request_is_404_and_recorded(client, world):
    contact = world["users"]["alliance_contact"]
    other = world["servicerequest"]["other"]
    client.force_login(contact)
    own = world["servicerequest"]["own"]
    assert client.get(reverse("services:request_detail", args=[own.pk])).status_code == 200
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()

    assert client.get(reverse("services:request_detail", args=[other.pk])).status_code == 404
    event = denied_event()
    assert (event.content_type.model, event.object_id) == ("servicerequest", str(other.pk))
    assert (event.user, event.success) == (contact, False)


def test_someone_elses_voucher_code_is_404_and_recorded(client, world):
    stranger = make_user(email="stranger@example.cn", phone="13700000077")
    client.force_login(stranger)
    voucher = world["voucher"]["other"]
    assert client.get(reverse("points:voucher_detail", args=[voucher.code])).status_code == 404
    event = denied_event()
    assert (event.content_type.model, event.object_id) == ("voucher", str(voucher.pk))
    assert event.user == stranger


def test_an_unpublished_wish_is_404_to_the_public_and_recorded(client, world):
    category = world["activity"]["own"].category
    wisher = make_user(email="wisher@example.cn", phone="13700000066")
    wish = Wish.objects.create(
        title="新的心愿", text="等待核实。", category=category, wisher=wisher
    )
    assert wish.status == Wish.Status.SUBMITTED
    visitor = make_user(email="visitor@example.cn", phone="13700000055")
    client.force_login(visitor)
    assert client.get(reverse("wishes:wish_detail", args=[wish.pk])).status_code == 404
    event = denied_event()
    assert (event.content_type.model, event.object_id) == ("wish", str(wish.pk))
    # The wisher still sees their own submission, and that leaves no record.
    client.force_login(wisher)
    assert client.get(reverse("wishes:wish_detail", args=[wish.pk])).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).count() == 1


def test_a_missing_id_is_404_without_a_record(client, world):
    client.force_login(world["users"]["alliance_contact"])
    assert client.get(reverse("services:request_detail", args=[999999])).status_code == 404
    assert client.get(reverse("wishes:wish_detail", args=[999999])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()
