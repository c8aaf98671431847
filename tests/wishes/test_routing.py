"""Routing: staff see organisations whose services match the category and invite them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from wishes import actions
from wishes.models import Invitation, Wish


@pytest.fixture
def matching_service(organisation, category):
    from services.models import Service

    service = Service.objects.create(
        title="通勤服务", category=category, venue=Service.Venue.values[0], is_active=True
    )
    service.providers.add(organisation)
    return service


def test_staff_see_matching_organisations_suggested(
    client, staff, make_wish, matching_service, organisation, other_organisation
):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)
    response = client.get(f"/wishes/{wish.pk}/route/")
    assert [r["organisation"] for r in response.context["suggestions"]] == [organisation]
    assert other_organisation in [r["organisation"] for r in response.context["others"]]


def test_the_routing_page_is_for_staff_only(client, make_wish, alliance_contact):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(alliance_contact)
    assert client.get(f"/wishes/{wish.pk}/route/").status_code == 403


def test_inviting_tells_the_organisations_contacts_once(
    client, staff, make_wish, other_organisation, other_contact, django_capture_on_commit_callbacks
):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/wishes/{wish.pk}/invite/{other_organisation.pk}/")
        client.post(f"/wishes/{wish.pk}/invite/{other_organisation.pk}/")
    assert Invitation.objects.filter(wish=wish, organisation=other_organisation).count() == 1
    assert [m.to for m in mail.outbox] == [[other_contact.email]]
    assert "邀请您认领" in mail.outbox[0].subject


def test_a_submitted_wish_cannot_be_offered(make_wish, staff, other_organisation):
    with pytest.raises(ValidationError):
        actions.invite_organisation(wish=make_wish(), organisation=other_organisation, by=staff)


def test_only_staff_may_invite(client, make_wish, alliance_contact, other_organisation):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(alliance_contact)
    assert client.post(f"/wishes/{wish.pk}/invite/{other_organisation.pk}/").status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("extra", [1, 10])
def test_the_routing_page_query_count_does_not_grow_with_organisations(
    client, staff, make_wish, matching_service, extra, django_assert_num_queries
):
    from rota.models import Organisation

    for n in range(extra):
        Organisation.objects.create(name=f"社会组织{n}", kind="social")
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)
    # session, user, wish, invitations, claims, similar wishes, suggestions, others + session save
    with django_assert_num_queries(11):
        assert client.get(f"/wishes/{wish.pk}/route/").status_code == 200
