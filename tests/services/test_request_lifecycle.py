"""点单 → 派单 → 接单 → 办结 → 评单 through the actions, with its notices and bad input."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from members import page_cache
from members.notices.models import Delivery, Notice
from services import actions
from services.models import RequestEvent, ServiceRecord, ServiceRequest
from tests.notices.conftest import deliver_pending
from tests.services.conftest import make_organisation

pytestmark = pytest.mark.django_db
Status = ServiceRequest.Status


def _requested(service, member_user) -> ServiceRequest:
    return actions.request_service(service=service, requester=member_user, details="想参加联谊")


def test_full_life_cycle_records_each_step_and_creates_the_service_record(
    service, organisation, contact, member_user, staff
):
    request = _requested(service, member_user)
    assert request.status == Status.REQUESTED

    request = actions.dispatch_request(request=request, organisation=organisation, by=staff)
    assert (request.status, request.organisation) == (Status.DISPATCHED, organisation)

    request = actions.accept_request(request=request, by=contact)
    assert request.status == Status.ACCEPTED

    request = actions.complete_request(request=request, by=contact, people_served=12, notes="顺利")
    assert request.status == Status.COMPLETED
    record = ServiceRecord.objects.get(request=request)
    assert (record.organisation, record.people_served, record.service) == (
        organisation,
        12,
        service,
    )

    request = actions.rate_request(request=request, by=member_user, rating=5, comment="很好")
    assert (request.rating, request.rating_comment) == (5, "很好")

    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["requested", "dispatched", "accepted", "completed", "rated"]


def test_declined_request_keeps_the_reason_and_can_be_dispatched_elsewhere(
    service, organisation, contact, other_organisation, member_user, staff
):
    service.providers.add(other_organisation)
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )

    request = actions.decline_request(request=request, by=contact, reason="本周人手不足")
    assert (request.status, request.decline_reason) == (Status.DECLINED, "本周人手不足")

    request = actions.dispatch_request(request=request, organisation=other_organisation, by=staff)
    assert (request.status, request.organisation, request.decline_reason) == (
        Status.DISPATCHED,
        other_organisation,
        "",
    )


def test_every_step_notifies_everyone_involved_once(
    service, organisation, contact, member_user, staff
):
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )
    dispatched = request.events.get(kind=RequestEvent.Kind.DISPATCHED)

    notices = Notice.objects.filter(event=f"services.request_event:{dispatched.pk}")

    # In the inbox of each (not the staff who acted), and one e-mail each, with its link.
    assert sorted(n.user_id for n in notices) == sorted([member_user.pk, contact.pk])
    Delivery.objects.exclude(notice__in=notices).delete()  # the request's own notice to staff
    sent = deliver_pending()
    again = deliver_pending()
    assert (len(sent), again) == (2, [])
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([member_user.email, contact.email])
    assert "服务申请" in mail.outbox[0].subject  # sent in the portal's language
    link = f"{settings.PORTAL_SITE_URL}/services/requests/{request.pk}/"
    assert all(link in message.body for message in mail.outbox)


def test_a_new_request_tells_staff_and_the_requester(service, member_user, staff):
    _requested(service, member_user)

    deliver_pending()

    assert sorted(a for m in mail.outbox for a in m.to) == sorted([staff.email])  # by requester


def test_steps_are_enqueued_after_commit(
    service, member_user, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _requested(service, member_user)
    # Besides the public pages' version, moved once more on commit (members.page_cache).
    assert len([c for c in callbacks if c is not page_cache.PAGES.move_on_commit]) == 1
    assert Notice.objects.get().user == staff  # written in the request's own transaction


# --- bad input: refused with a reason, nothing changed ----------------------------------------


def _snapshot(request: ServiceRequest) -> tuple:
    request.refresh_from_db()
    return (
        request.status,
        request.organisation_id,
        request.rating,
        request.decline_reason,
        request.events.count(),
        ServiceRecord.objects.count(),
    )


def test_dispatch_to_an_organisation_that_does_not_provide_the_service_is_refused(
    service, other_organisation, member_user, staff
):
    request = _requested(service, member_user)
    before = _snapshot(request)

    with pytest.raises(ValidationError) as caught:
        actions.dispatch_request(request=request, organisation=other_organisation, by=staff)

    assert caught.value.code == "not_provider"
    assert "不提供" in caught.value.messages[0]
    assert _snapshot(request) == before


def test_dispatch_to_an_inactive_provider_is_refused(service, organisation, member_user, staff):
    organisation.is_active = False
    organisation.save()
    request = _requested(service, member_user)
    with pytest.raises(ValidationError):
        actions.dispatch_request(request=request, organisation=organisation, by=staff)


def test_only_staff_dispatch(service, organisation, contact, member_user):
    request = _requested(service, member_user)
    before = _snapshot(request)
    with pytest.raises(ValidationError) as caught:
        actions.dispatch_request(request=request, organisation=organisation, by=contact)
    assert caught.value.code == "forbidden"
    assert _snapshot(request) == before


def test_rating_before_completion_is_refused(service, organisation, contact, member_user, staff):
    request = actions.accept_request(
        request=actions.dispatch_request(
            request=_requested(service, member_user), organisation=organisation, by=staff
        ),
        by=contact,
    )
    before = _snapshot(request)

    with pytest.raises(ValidationError) as caught:
        actions.rate_request(request=request, by=member_user, rating=4)

    assert caught.value.code == "not_completed"
    assert _snapshot(request) == before


@pytest.fixture
def completed(service, organisation, contact, member_user, staff) -> ServiceRequest:
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )
    request = actions.accept_request(request=request, by=contact)
    return actions.complete_request(request=request, by=contact)


def test_rating_twice_is_refused_and_keeps_the_first(completed, member_user):
    actions.rate_request(request=completed, by=member_user, rating=4, comment="好")
    before = _snapshot(completed)

    with pytest.raises(ValidationError) as caught:
        actions.rate_request(request=completed, by=member_user, rating=1, comment="改评")

    assert caught.value.code == "already_rated"
    assert _snapshot(completed) == before
    assert completed.rating == 4


@pytest.mark.parametrize("rating", [0, 6, -1, True, 4.5])
def test_rating_out_of_range_is_refused(completed, member_user, rating):
    with pytest.raises(ValidationError) as caught:
        actions.rate_request(request=completed, by=member_user, rating=rating)
    assert caught.value.code == "rating_range"


def test_only_the_requester_rates(completed, contact):
    with pytest.raises(ValidationError) as caught:
        actions.rate_request(request=completed, by=contact, rating=5)
    assert caught.value.code == "forbidden"


def test_another_organisations_contact_cannot_answer(
    service, organisation, other_contact, member_user, staff
):
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )
    before = _snapshot(request)
    for step in (actions.accept_request, actions.complete_request):
        with pytest.raises(ValidationError):
            step(request=request, by=other_contact)
    with pytest.raises(ValidationError):
        actions.decline_request(request=request, by=other_contact, reason="不是我们")
    assert _snapshot(request) == before


def test_decline_needs_a_reason(service, organisation, contact, member_user, staff):
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )
    before = _snapshot(request)
    with pytest.raises(ValidationError) as caught:
        actions.decline_request(request=request, by=contact, reason="   ")
    assert caught.value.code == "reason_required"
    assert _snapshot(request) == before


def test_a_step_out_of_order_is_refused(service, contact, member_user):
    request = _requested(service, member_user)
    with pytest.raises(ValidationError) as caught:
        actions.complete_request(request=request, by=contact)
    assert caught.value.code in {"forbidden", "stale"}


def test_accepting_twice_moves_once(service, organisation, contact, member_user, staff):
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )
    stale_copy = ServiceRequest.objects.get(pk=request.pk)
    actions.accept_request(request=request, by=contact)

    with pytest.raises(ValidationError) as caught:
        actions.accept_request(request=stale_copy, by=contact)

    assert caught.value.code == "stale"
    assert request.events.filter(kind="accepted").count() == 1


def test_empty_details_are_refused(service, member_user):
    with pytest.raises(ValidationError):
        actions.request_service(service=service, requester=member_user, details="  ")
    assert not ServiceRequest.objects.exists()


def test_withdrawn_request_cannot_be_dispatched(service, organisation, member_user, staff):
    request = actions.withdraw_request(request=_requested(service, member_user), by=member_user)
    with pytest.raises(ValidationError) as caught:
        actions.dispatch_request(request=request, organisation=organisation, by=staff)
    assert caught.value.code == "stale"


def test_a_second_organisation_is_never_made_a_provider_by_dispatch(service, member_user, staff):
    stranger = make_organisation(name="县运管局")
    with pytest.raises(ValidationError):
        actions.dispatch_request(
            request=_requested(service, member_user), organisation=stranger, by=staff
        )
    assert not service.providers.filter(pk=stranger.pk).exists()


def test_a_request_completes_even_if_its_organisation_stopped_providing_since(
    service, organisation, contact, member_user, staff
):
    request = actions.dispatch_request(
        request=_requested(service, member_user), organisation=organisation, by=staff
    )
    request = actions.accept_request(request=request, by=contact)
    service.providers.remove(organisation)

    request = actions.complete_request(request=request, by=contact)

    assert ServiceRecord.objects.get(request=request).organisation == organisation
