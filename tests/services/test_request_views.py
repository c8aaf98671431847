"""Request pages: who sees what (an organisation sees only requests dispatched to it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services import actions
from services.models import ServiceRecord, ServiceRequest

pytestmark = pytest.mark.django_db
Status = ServiceRequest.Status


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def requested(service, member_user) -> ServiceRequest:
    return actions.request_service(service=service, requester=member_user, details="想参加联谊")


@pytest.fixture
def dispatched(requested, organisation, staff) -> ServiceRequest:
    return actions.dispatch_request(request=requested, organisation=organisation, by=staff)


def _detail(pk: int) -> str:
    return reverse("services:request_detail", args=[pk])


def test_a_member_requests_a_service_through_the_form(client, service, member_user):
    _login(client, member_user)
    response = client.post(f"/services/{service.pk}/request/", {"details": "需要联谊活动信息"})
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(request.pk)
    assert (request.requester, request.status) == (member_user, Status.REQUESTED)


def test_an_empty_request_shows_a_chinese_error_and_saves_nothing(client, service, member_user):
    _login(client, member_user)
    response = client.post(f"/services/{service.pk}/request/", {"details": ""})
    assert response.status_code == 200
    assert "请说明您的需求" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_requesting_needs_a_login(client, service):
    response = client.get(f"/services/{service.pk}/request/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_organisation_sees_a_request_dispatched_to_it(client, dispatched, contact):
    response = _login(client, contact).get(_detail(dispatched.pk))
    assert response.status_code == 200
    assert response.context["can_answer"] is True
    listing = client.get(reverse("services:request_list"))
    assert [r.pk for r in listing.context["inbox"]] == [dispatched.pk]


def test_another_organisation_gets_404_for_a_request_not_dispatched_to_it(
    client, dispatched, other_organisation, other_contact
):
    _login(client, other_contact)
    assert client.get(_detail(dispatched.pk)).status_code == 404
    assert client.post(reverse("services:request_accept", args=[dispatched.pk])).status_code == 404
    assert client.get(reverse("services:request_list")).context["inbox"] == []
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED


def test_an_organisation_does_not_see_requests_before_they_are_dispatched(
    client, requested, contact
):
    assert _login(client, contact).get(_detail(requested.pk)).status_code == 404


def test_after_redispatch_the_first_organisation_loses_sight_of_it(
    client, dispatched, contact, other_organisation, service, staff
):
    service.providers.add(other_organisation)
    actions.decline_request(request=dispatched, by=contact, reason="人手不足")
    actions.dispatch_request(request=dispatched, organisation=other_organisation, by=staff)
    assert _login(client, contact).get(_detail(dispatched.pk)).status_code == 404


def test_another_member_gets_404_for_my_request(client, requested, public_user):
    assert _login(client, public_user).get(_detail(requested.pk)).status_code == 404


def test_the_whole_life_cycle_through_the_pages(
    client, requested, organisation, contact, staff, member_user
):
    _login(client, staff).post(
        reverse("services:request_dispatch", args=[requested.pk]),
        {"organisation": organisation.pk},
    )
    _login(client, contact).post(reverse("services:request_accept", args=[requested.pk]))
    client.post(
        reverse("services:request_complete", args=[requested.pk]),
        {"people_served": 26, "notes": "三场联谊"},
    )
    _login(client, member_user).post(
        reverse("services:request_rate", args=[requested.pk]), {"rating": 5, "comment": "满意"}
    )
    requested.refresh_from_db()
    assert (requested.status, requested.rating) == (Status.COMPLETED, 5)
    assert ServiceRecord.objects.get(request=requested).people_served == 26


def test_dispatch_to_a_non_provider_through_the_page_explains_why(
    client, requested, other_organisation, staff
):
    response = _login(client, staff).post(
        reverse("services:request_dispatch", args=[requested.pk]),
        {"organisation": other_organisation.pk},
        follow=True,
    )
    assert "晨曦社工 不提供“青年联谊会”服务" in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


def test_rating_twice_through_the_page_keeps_the_first(client, dispatched, contact, member_user):
    actions.complete_request(
        request=actions.accept_request(request=dispatched, by=contact), by=contact
    )
    _login(client, member_user)
    url = reverse("services:request_rate", args=[dispatched.pk])
    client.post(url, {"rating": 4})
    response = client.post(url, {"rating": 1}, follow=True)
    assert "该申请已评价过" in response.content.decode()
    dispatched.refresh_from_db()
    assert dispatched.rating == 4


def test_a_rating_outside_1_to_5_is_refused_by_the_form(client, dispatched, contact, member_user):
    actions.complete_request(
        request=actions.accept_request(request=dispatched, by=contact), by=contact
    )
    response = _login(client, member_user).post(
        reverse("services:request_rate", args=[dispatched.pk]), {"rating": 9}, follow=True
    )
    assert "请选择 1 到 5 分的评价" in response.content.decode()
    dispatched.refresh_from_db()
    assert dispatched.rating is None


def test_the_requester_cannot_accept_their_own_request(client, dispatched, member_user):
    response = _login(client, member_user).post(
        reverse("services:request_accept", args=[dispatched.pk]), follow=True
    )
    assert "只有该组织的联络人或中心工作人员" in response.content.decode()
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED


def test_steps_are_post_only(client, dispatched, contact):
    response = _login(client, contact).get(reverse("services:request_accept", args=[dispatched.pk]))
    assert response.status_code == 405


def test_request_text_is_escaped(client, service, member_user):
    request = actions.request_service(
        service=service, requester=member_user, details="<img src=x onerror=alert(1)>"
    )
    body = _login(client, member_user).get(_detail(request.pk)).content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x" in body


def _many_requests(n: int, service, requester, organisation, staff) -> None:
    for i in range(n):
        request = actions.request_service(service=service, requester=requester, details=f"需求{i}")
        if i % 2:
            actions.dispatch_request(request=request, organisation=organisation, by=staff)


@pytest.mark.parametrize("size", [2, 20])
def test_the_request_list_keeps_one_budget(
    client, size, service, member_user, organisation, contact, staff, django_assert_num_queries
):
    _many_requests(size, service, member_user, organisation, staff)
    client.force_login(member_user)
    # session, user, my requests, requests dispatched to me, whether I am a contact at all,
    # session save (3).
    with django_assert_num_queries(8):
        response = client.get(reverse("services:request_list"))
    assert len(response.context["mine"]) == size
    client.force_login(staff)
    # as above plus the requests awaiting an answer and which of them are overdue.
    with django_assert_num_queries(10):
        response = client.get(reverse("services:request_list"))
    assert len(response.context["awaiting"]) == size  # new or dispatched, none answered


def test_a_contact_without_requests_still_finds_the_record_page(client, organisation, contact):
    body = _login(client, contact).get(reverse("services:request_list")).content.decode()
    assert reverse("services:record_new") in body


def test_a_plain_member_is_not_offered_the_record_page(client, member_user):
    body = _login(client, member_user).get(reverse("services:request_list")).content.decode()
    assert reverse("services:record_new") not in body
