"""Another organisation's id edited into a wish page's form is a 404 with an audit record.

The claim and progress forms offer only the contact's own organisations; a POST naming
another one did not come from the page.
"""

from __future__ import annotations

from django.urls import reverse

from members.audit import AuditEvent
from tests.wishes.conftest import future
from wishes import actions
from wishes.models import Claim, Wish, WishEvent


def _denied() -> list[tuple[str, str]]:
    return [
        (event.content_type.model, event.object_id)
        for event in AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED)
    ]


def test_claiming_in_another_organisations_name_is_404_and_recorded(
    client, make_wish, alliance_contact, other_organisation
):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(alliance_contact)

    response = client.post(
        reverse("wishes:wish_claim", args=[wish.pk]),
        {"organisation": other_organisation.pk, "promised_on": future().isoformat()},
    )

    assert response.status_code == 404
    assert not Claim.objects.filter(wish=wish).exists()
    assert _denied() == [("organisation", str(other_organisation.pk))]


def test_reporting_for_another_claimer_is_404_and_recorded(
    client, make_wish, alliance_contact, other_organisation, other_contact
):
    wish = make_wish(Wish.Status.CLAIMED)
    actions.claim_wish(
        wish=wish, organisation=other_organisation, by=other_contact, promised_on=future()
    )
    client.force_login(alliance_contact)

    for name in ("wishes:wish_update", "wishes:wish_fulfil"):
        response = client.post(
            reverse(name, args=[wish.pk]),
            {"organisation": other_organisation.pk, "text": "替别人报告"},
        )
        assert response.status_code == 404

    wish.refresh_from_db()
    assert wish.status == Wish.Status.CLAIMED
    assert not wish.events.filter(kind=WishEvent.Kind.UPDATE).exists()
    assert _denied() == [("organisation", str(other_organisation.pk))] * 2


def test_the_own_organisation_and_a_missing_id_leave_no_record(
    client, make_wish, alliance_contact, organisation
):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(alliance_contact)
    claim = reverse("wishes:wish_claim", args=[wish.pk])

    missing = client.post(claim, {"organisation": 999999, "promised_on": future().isoformat()})
    assert missing.status_code == 404
    own = client.post(claim, {"organisation": organisation.pk, "promised_on": future().isoformat()})
    assert own.status_code == 302

    assert Claim.objects.get(wish=wish).organisation == organisation
    assert _denied() == []


def test_centre_staff_may_claim_for_any_active_organisation(
    client, staff, make_wish, other_organisation
):
    wish = make_wish(Wish.Status.PUBLISHED)
    client.force_login(staff)
    client.post(
        reverse("wishes:wish_claim", args=[wish.pk]),
        {"organisation": other_organisation.pk, "promised_on": future().isoformat()},
    )
    assert Claim.objects.get(wish=wish).organisation == other_organisation
    assert _denied() == []
