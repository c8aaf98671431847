"""Swap pages: a request between two other organisations is a 404 that leaves an audit record.

Given a contact and a swap request on which their organisation stands on neither side, when
they post its id to accept, decline or cancel it, then nothing changes, they get 404, and a
permission-denied record names the request; a request on their side is answered normally.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from members.audit import AuditEvent
from rota import actions
from rota.models import SwapRequest
from tests.rota.conftest import make_org, make_week


@pytest.fixture
def swaps(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0))
    mine, a, b = make_org("团县委"), make_org("晨曦社工"), make_org("县运管局")
    foreign = actions.request_swap(
        from_week=make_week(a, dt.date(2026, 3, 16)),
        to_week=make_week(b, dt.date(2026, 3, 23)),
        by=a.duty_contact,
    )
    incoming = actions.request_swap(
        from_week=make_week(a, dt.date(2026, 3, 30)),
        to_week=make_week(mine, dt.date(2026, 4, 6)),
        by=a.duty_contact,
    )
    return mine.backup_contact, foreign, incoming


@pytest.mark.parametrize("step", ["swap_accept", "swap_decline", "swap_cancel"])
def test_a_foreign_swap_is_404_and_recorded(client, swaps, step):
    contact, foreign, _incoming = swaps
    client.force_login(contact)

    response = client.post(reverse(f"rota:{step}", args=[foreign.pk]))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == SwapRequest.Status.REQUESTED
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.content_type.model, event.object_id) == ("swaprequest", str(foreign.pk))
    assert (event.user, event.success) == (contact, False)


def test_the_backup_contact_answers_a_request_to_their_organisation(client, swaps):
    contact, _foreign, incoming = swaps
    client.force_login(contact)

    response = client.post(reverse("rota:swap_accept", args=[incoming.pk]))

    assert response.status_code == 302
    incoming.refresh_from_db()
    assert (incoming.status, incoming.answered_by) == (SwapRequest.Status.ACCEPTED, contact)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()
