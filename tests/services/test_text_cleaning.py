"""Bidi control characters in service requests are never stored or shown (members/text.py).

Given a member pasting text with U+202E (which shows it reversed), when it goes through the
request and rating pages, then the rows and the organisation's page show it clean.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.text import BIDI_CONTROLS
from services import actions
from services.models import ServiceRequest

pytestmark = pytest.mark.django_db
RLO, PDF, LRM = "\u202e", "\u202c", "\u200e"


def test_a_request_pasted_with_an_override_is_stored_and_shown_clean(
    client, service, member_user, organisation, contact, staff
):
    # Given a member's request whose text carries an override and a mark
    client.force_login(member_user)
    response = client.post(
        reverse("services:request_new", args=[service.pk]),
        {"details": f"需要{RLO}息信动活谊联{PDF}{LRM}"},
    )
    # Then it is saved without them
    assert response.status_code == 302
    request = ServiceRequest.objects.get()
    assert request.details == "需要息信动活谊联"
    # and the organisation it is dispatched to reads it clean
    actions.dispatch_request(request=request, organisation=organisation, by=staff)
    client.force_login(contact)
    page = client.get(reverse("services:request_detail", args=[request.pk])).content.decode()
    assert "需要息信动活谊联" in page
    assert not BIDI_CONTROLS.intersection(page)


def test_a_request_of_nothing_but_controls_is_refused_as_empty(client, service, member_user):
    client.force_login(member_user)
    response = client.post(
        reverse("services:request_new", args=[service.pk]), {"details": f" {RLO}{PDF} "}
    )
    assert "请说明您的需求" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_rating_comment_written_by_update_is_stored_clean(
    client, service, member_user, organisation, contact, staff
):
    # Written with QuerySet.update(), which runs no pre_save: the form field strips the
    # comment (and the model field would on update too, see tests/members/test_text_fields.py).
    request = actions.request_service(service=service, requester=member_user, details="联谊")
    actions.dispatch_request(request=request, organisation=organisation, by=staff)
    actions.complete_request(
        request=actions.accept_request(request=request, by=contact), by=contact
    )
    client.force_login(member_user)
    client.post(
        reverse("services:request_rate", args=[request.pk]),
        {"rating": 5, "comment": f"很{RLO}意满"},
    )
    request.refresh_from_db()
    assert (request.rating, request.rating_comment) == (5, "很意满")
