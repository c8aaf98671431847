"""Steps on an object's admin page, by role: out of scope is 404 (recorded), no right is 403.

Given the roles' world, when a role posts a lifecycle step on a row's admin page, then centre
staff move it through the app's action, the asked contact answers a swap, and a row outside
the role's scope is a 404 with a permission-denied audit record and no change.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.audit import AuditEvent
from rota.models import DutyWeek, SwapRequest, monday_of
from services.models import ServiceRequest
from wishes.models import Wish


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(user, admin_name: str, row, step: str, **data):
    return _client(user).post(reverse(f"admin:{admin_name}_step", args=[row.pk, step]), data)


@pytest.fixture
def swap(world):
    # Two weeks still ahead (a started week cannot change hands).
    monday = monday_of(timezone.localdate()) + dt.timedelta(days=28)
    weeks = {
        key: DutyWeek.objects.create(
            week_start=monday + dt.timedelta(days=7 * n), organisation=world["organisation"][key]
        )
        for n, key in enumerate(("own", "other"))
    }
    world["future_week"] = weeks
    return SwapRequest.objects.create(
        from_week=weeks["other"],
        to_week=weeks["own"],
        from_organisation=world["organisation"]["other"],
        to_organisation=world["organisation"]["own"],
        requested_by=world["requester"],
    )


def test_the_asked_contact_accepts_then_staff_approve_from_the_page(world, swap):
    contact, staff = world["users"]["alliance_contact"], world["users"]["centre_staff"]
    page = _client(contact).get(reverse("admin:rota_swaprequest_change", args=[swap.pk]))
    assert "object-step-accept" in page.content.decode()
    assert "object-step-approve" not in page.content.decode()

    _post(contact, "rota_swaprequest", swap, "accept")
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.ACCEPTED
    # Only centre staff decide: the contact is refused, nothing moves.
    assert _post(contact, "rota_swaprequest", swap, "approve").status_code == 403

    _post(staff, "rota_swaprequest", swap, "approve")
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED
    assert (
        DutyWeek.objects.get(pk=world["future_week"]["own"].pk).organisation
        == (world["organisation"]["other"])
    )
    # Decided: no button is left.
    page = _client(staff).get(reverse("admin:rota_swaprequest_change", args=[swap.pk]))
    assert "object-step" not in page.content.decode()


def test_staff_dispatch_a_new_request_from_its_page(world):
    world["service"].providers.add(world["organisation"]["own"])
    row = ServiceRequest.objects.create(
        service=world["service"], requester=world["requester"], details="需要帮助"
    )
    staff = world["users"]["centre_staff"]
    page = _client(staff).get(reverse("admin:services_servicerequest_change", args=[row.pk]))
    assert "object-step-dispatch" in page.content.decode()

    own = world["organisation"]["own"]
    _post(staff, "services_servicerequest", row, "dispatch", **{"dispatch-organisation": own.pk})

    row.refresh_from_db()
    assert (row.status, row.organisation) == (ServiceRequest.Status.DISPATCHED, own)


def test_a_row_outside_the_scope_is_not_found_recorded_and_unchanged(world):
    contact = world["users"]["alliance_contact"]
    other_request = world["servicerequest"]["other"]
    wish = Wish.objects.create(
        title="待核实",
        text="x",
        category=world["category"],
        wisher=world["requester"],
        status=Wish.Status.SUBMITTED,
    )
    denied = AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED)
    before = denied.count()

    # The claim of another organisation, a request dispatched elsewhere: outside the scope.
    claim = world["claim"]["other"]
    assert (
        _post(contact, "wishes_claim", claim, "release", **{"release-reason": "x"}).status_code
        == 404
    )
    assert _post(contact, "services_servicerequest", other_request, "dispatch").status_code == 404
    # The wish desk is not the contact's at all.
    assert _post(contact, "wishes_wish", wish, "verify").status_code == 403

    claim.refresh_from_db()
    wish.refresh_from_db()
    assert claim.released_at is None and wish.status == Wish.Status.SUBMITTED
    assert denied.count() >= before + 2
