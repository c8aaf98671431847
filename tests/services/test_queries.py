"""The read queries other apps use: providers, counts per organisation and month, member home."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from members.periods import month_bounds
from services import actions, queries
from services.models import Activity, ServiceRecord
from tests.services.conftest import (
    category,
    make_activity,
    make_member,
    make_organisation,
    make_service,
)

pytestmark = pytest.mark.django_db


def test_providers_for_category_lists_active_providers_of_active_services(
    organisation, other_organisation
):
    inactive_org = make_organisation(name="已退出组织")
    inactive_org.is_active = False
    inactive_org.save()
    make_service(code="talent", providers=[organisation, inactive_org])
    make_service(code="talent", providers=[organisation])  # listed once
    hidden = make_service(code="talent", providers=[other_organisation])
    hidden.is_active = False
    hidden.save()
    make_service(code="volunteer", providers=[other_organisation])

    assert list(queries.providers_for_category(category("talent"))) == [organisation]


def _record(service, organisation, day: dt.date) -> ServiceRecord:
    return ServiceRecord.objects.create(
        service=service, organisation=organisation, delivered_on=day, people_served=1
    )


def test_counts_per_organisation_and_month(service, organisation, other_organisation):
    service.providers.add(other_organisation)
    _record(service, organisation, dt.date(2026, 3, 2))
    _record(service, organisation, dt.date(2026, 3, 31))
    _record(service, other_organisation, dt.date(2026, 3, 15))
    _record(service, organisation, dt.date(2026, 4, 1))

    assert queries.service_records_count() == 4
    march = queries.record_ids_by_organisation(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    april = queries.record_ids_by_organisation(dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    assert {org: len(ids) for org, ids in march.items()} == {
        organisation.pk: 2,
        other_organisation.pk: 1,
    }
    assert {org: len(ids) for org, ids in april.items()} == {organisation.pk: 1}
    days = [r.delivered_on.day for r in queries.service_records_with_ids(march[organisation.pk])]
    assert sorted(days) == [2, 31]


def test_activities_and_ratings_per_organisation(
    service, organisation, contact, staff, member_user
):
    activity = make_activity(organisation=organisation)
    request = actions.request_service(service=service, requester=member_user, details="x")
    request = actions.dispatch_request(request=request, organisation=organisation, by=staff)
    request = actions.complete_request(
        request=actions.accept_request(request=request, by=contact), by=contact
    )
    request = actions.rate_request(request=request, by=member_user, rating=4)
    # The queries count by the portal's local month, which is not the UTC month near midnight.
    start, rated = timezone.localtime(activity.starts_at), timezone.localtime(request.rated_at)

    assert queries.activity_ids_by_organisation(*month_bounds(start.year, start.month)) == {
        organisation.pk: [activity.pk]
    }
    assert queries.ratings_by_organisation(*month_bounds(rated.year, rated.month)) == {
        organisation.pk: [(request.pk, 4)]
    }


def test_member_home_and_its_panel(member, organisation, service, django_assert_num_queries):
    activity = make_activity(organisation=organisation, title="人才沙龙")
    actions.sign_up(activity=activity, member=member)
    actions.request_service(service=service, requester=member.user, details="想参加")
    other = make_member()
    actions.sign_up(activity=activity, member=other)

    with django_assert_num_queries(3):
        context = queries.member_home(member)
    assert [s.member_id for s in context["services_signups"]] == [member.pk]
    assert len(context["services_requests"]) == 1

    request = RequestFactory().get("/me/")
    with django_assert_num_queries(0):
        html = render_to_string("services/includes/me_panel.html", context, request=request)
    assert "人才沙龙" in html
    assert "青年联谊会" in html
    assert "我的出席记录" in html


def test_my_coming_activities_are_listed_soonest_first_and_past_ones_left_out(member, organisation):
    later = make_activity(
        organisation=organisation, title="下月读书会", starts_in=timedelta(days=20)
    )
    sooner = make_activity(organisation=organisation, title="周末志愿", starts_in=timedelta(days=2))
    past = make_activity(organisation=organisation, title="上周讲座", starts_in=timedelta(days=3))
    for activity in (later, sooner, past):
        actions.sign_up(activity=activity, member=member)
    Activity.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7, hours=-2),
        signup_deadline=timezone.now() - timedelta(days=8),
    )
    titles = [s.activity.title for s in queries.member_home(member)["services_signups"]]
    assert titles == ["周末志愿", "下月读书会"]


def test_the_me_page_shows_my_services_panel(client, member, organisation, service):
    activity = make_activity(organisation=organisation, title="红色论坛")
    actions.sign_up(activity=activity, member=member)
    actions.request_service(service=service, requester=member.user, details="想参加")
    client.force_login(member.user)

    body = client.get("/me/").content.decode()

    assert "我的服务申请" in body
    assert "红色论坛" in body
    assert "青年联谊会" in body


def test_a_login_without_a_member_record_sees_only_its_requests(client, public_user, service):
    actions.request_service(service=service, requester=public_user, details="咨询")
    client.force_login(public_user)
    body = client.get("/me/").content.decode()
    assert "青年联谊会" in body
    assert "还没有报名即将举行的活动。" in body
