"""The services admin for centre staff and alliance contacts: what each may do, and how.

Given the roles of deqing_hub.roles (an alliance contact with admin access, centre staff),
when they use the services admin and the record form, then changes go through the actions,
people are masked and another organisation's id is a 404 that leaves an audit record.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from deqing_hub import roles
from members.audit import AuditEvent
from services import actions
from services.models import Attendance, RequestEvent, ServiceRequest, SignUp
from tests.services.conftest import category, make_activity, make_member, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_contact(contact, organisation):
    """The contact of 团县委 with admin access and the alliance-contact role."""
    roles.setup_roles()
    contact.is_staff = True
    contact.save(update_fields=["is_staff"])
    contact.groups.add(roles.group_of(roles.ALLIANCE_CONTACT))
    return contact


def _denied(obj) -> AuditEvent:
    return AuditEvent.objects.get(
        kind=AuditEvent.Kind.PERMISSION_DENIED, object_id=str(obj.pk), success=False
    )


def test_a_request_staff_add_by_telephone_is_logged_like_one_from_the_portal(
    client, staff, service, member_user
):
    client.force_login(staff)
    response = client.post(
        reverse("admin:services_servicerequest_add"),
        {
            "service": service.pk,
            "requester": member_user.pk,
            "details": "电话点单：需要党建指导",
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    request = ServiceRequest.objects.get()
    assert (request.status, request.requester, request.details) == (
        ServiceRequest.Status.REQUESTED,
        member_user,
        "电话点单：需要党建指导",
    )
    assert list(request.events.values_list("kind", flat=True)) == [RequestEvent.Kind.REQUESTED]


def test_staff_cannot_add_a_request_for_a_withdrawn_service(client, staff, member_user):
    withdrawn = make_service(title="已下架的服务")
    withdrawn.is_active = False
    withdrawn.save()
    client.force_login(staff)
    response = client.post(
        reverse("admin:services_servicerequest_add"),
        {
            "service": withdrawn.pk,
            "requester": member_user.pk,
            "details": "需要",
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()


def test_the_request_list_masks_the_requester(client, staff, service, public_user):
    actions.request_service(service=service, requester=public_user, details="需要帮助")
    client.force_login(staff)
    html = client.get(reverse("admin:services_servicerequest_changelist")).content.decode()
    assert "public@example.cn" not in html
    assert "137****0003" in html


def test_who_asked_for_what_is_fixed_once_a_request_exists(client, staff, service, member_user):
    request = actions.request_service(service=service, requester=member_user, details="原文")
    client.force_login(staff)
    page = client.get(reverse("admin:services_servicerequest_change", args=[request.pk]))
    form = page.context["adminform"].form
    assert set(form.fields) == {"details"}
    assert reverse("services:request_detail", args=[request.pk]) in page.content.decode()


def test_a_contact_sees_the_history_of_a_request_dispatched_to_them(
    client, admin_contact, organisation, staff, service, member_user
):
    request = actions.request_service(service=service, requester=member_user, details="需要")
    actions.dispatch_request(request=request, organisation=organisation, by=staff)
    client.force_login(admin_contact)
    page = client.get(reverse("admin:services_servicerequest_change", args=[request.pk]))
    assert page.status_code == 200
    formsets = page.context["inline_admin_formsets"]
    assert [len(f.formset.forms) for f in formsets] == [2]  # requested, dispatched


def test_a_contact_cannot_set_an_activitys_points(client, admin_contact, organisation):
    activity = make_activity(organisation=organisation, points=5)
    client.force_login(admin_contact)
    url = reverse("admin:services_activity_change", args=[activity.pk])
    form = client.get(url).context["adminform"].form
    assert "points" not in form.fields
    assert "title" in form.fields


def test_another_organisation_edited_into_the_activity_form_is_404_and_recorded(
    client, admin_contact, organisation, other_organisation
):
    activity = make_activity(organisation=organisation, title="读书会")
    client.force_login(admin_contact)
    response = client.post(
        reverse("admin:services_activity_change", args=[activity.pk]),
        {"title": "读书会", "organisation": other_organisation.pk},
    )
    assert response.status_code == 404
    assert _denied(other_organisation).content_type.model == "organisation"
    activity.refresh_from_db()
    assert activity.organisation == organisation


def test_another_organisation_edited_into_the_record_form_is_404_and_recorded(
    client, contact, organisation, other_organisation, service
):
    client.force_login(contact)
    response = client.post(
        reverse("services:record_new"),
        {
            "service": service.pk,
            "organisation": other_organisation.pk,
            "delivered_on": "2026-11-02",
            "people_served": 3,
        },
    )
    assert response.status_code == 404
    assert _denied(other_organisation).user == contact


def test_a_contact_sees_only_their_activities_sign_ups_and_cannot_cancel_them(
    client, admin_contact, organisation, other_organisation
):
    own = actions.sign_up(activity=make_activity(organisation=organisation), member=make_member())
    other = actions.sign_up(
        activity=make_activity(organisation=other_organisation), member=make_member()
    )
    client.force_login(admin_contact)
    changelist = reverse("admin:services_signup_changelist")
    page = client.get(changelist)
    assert [s.pk for s in page.context["cl"].result_list] == [own.pk]
    assert "cancel_signups" not in page.content.decode()

    client.post(changelist, {"action": "cancel_signups", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.status == SignUp.Status.CONFIRMED

    foreign = client.get(reverse("admin:services_signup_change", args=[other.pk]))
    assert foreign.status_code == 404
    assert _denied(other).user == admin_contact


def test_nobody_edits_or_deletes_a_sign_up_by_hand(client, staff, organisation):
    signup = actions.sign_up(
        activity=make_activity(organisation=organisation), member=make_member()
    )
    client.force_login(staff)
    page = client.get(reverse("admin:services_signup_change", args=[signup.pk]))
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        reverse("admin:services_signup_delete", args=[signup.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert SignUp.objects.filter(pk=signup.pk).exists()


def test_an_activity_with_attendance_cannot_be_deleted(client, staff, organisation):
    activity = make_activity(
        organisation=organisation,
        starts_in=timedelta(minutes=-5),
        deadline_before=timedelta(minutes=-30),
    )
    member = make_member()
    actions.sign_up(activity=activity, member=member)
    actions.tick_attendance(activity=activity, members=[member], by=staff)
    client.force_login(staff)

    response = client.post(
        reverse("admin:services_activity_delete", args=[activity.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Attendance.objects.filter(activity=activity).count() == 1


def test_a_contact_exports_the_attendance_of_their_activities_only(
    client, admin_contact, organisation, other_organisation
):
    for org, name in [(organisation, "王小明"), (other_organisation, "李大伟")]:
        activity = make_activity(
            organisation=org,
            starts_in=timedelta(minutes=-5),
            points=0,
            deadline_before=timedelta(minutes=-30),
        )
        member = make_member(name=name)
        actions.sign_up(activity=activity, member=member)
        Attendance.objects.create(activity=activity, member=member, method="list")
    client.force_login(admin_contact)
    url = reverse("admin:services_attendance_export")
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("attendanceresource_")})

    response = client.post(url, data)

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "活动",
        "主办单位",
        "开始时间",
        "党员",
        "支部",
        "签到方式",
        "签到时间",
        "获得积分",
    )
    assert [row[3] for row in rows[1:]] == ["王小明"]
    assert rows[1][5] == "主办方勾选"
    export = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert export.details == {"model": "services.attendance", "rows": 1}


def test_a_contact_can_fill_in_every_choice_of_the_activity_form(
    client, admin_contact, organisation, other_organisation
):
    """Contacts may not open the category or theme admins, so those are plain selects."""
    activity = make_activity(organisation=organisation)
    another = category("talent")
    client.force_login(admin_contact)
    page = client.get(reverse("admin:services_activity_change", args=[activity.pk]))
    assert f'<option value="{another.pk}">{another.name}</option>' in page.content.decode()
    form = page.context["adminform"].form
    assert list(form.fields["organisation"].queryset) == [organisation]
    lookup = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "services", "model_name": "activity", "field_name": "organisation"},
    )
    assert [r["text"] for r in lookup.json()["results"]] == [organisation.name]


def test_a_request_is_deleted_only_before_dispatch_or_once_withdrawn(
    client, staff, organisation, service, member_user
):
    duplicate = actions.request_service(service=service, requester=member_user, details="重复")
    dispatched = actions.request_service(service=service, requester=member_user, details="需要")
    actions.dispatch_request(request=dispatched, organisation=organisation, by=staff)
    client.force_login(staff)
    changelist = reverse("admin:services_servicerequest_changelist")

    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [dispatched.pk], "post": "yes"},
    )
    client.post(
        reverse("admin:services_servicerequest_delete", args=[duplicate.pk]), {"post": "yes"}
    )

    assert list(ServiceRequest.objects.values_list("pk", flat=True)) == [dispatched.pk]


def test_a_contact_saves_their_activity_but_not_its_points(client, admin_contact, organisation):
    activity = make_activity(organisation=organisation, points=5, title="读书会")
    client.force_login(admin_contact)
    starts = timezone.localtime(activity.starts_at)
    deadline = timezone.localtime(activity.signup_deadline)
    ends = timezone.localtime(activity.ends_at)
    response = client.post(
        reverse("admin:services_activity_change", args=[activity.pk]),
        {
            "title": "读书分享会",
            "category": activity.category_id,
            "organisation": organisation.pk,
            "starts_at_0": f"{starts:%Y-%m-%d}",
            "starts_at_1": f"{starts:%H:%M:%S}",
            "ends_at_0": f"{ends:%Y-%m-%d}",
            "ends_at_1": f"{ends:%H:%M:%S}",
            "signup_deadline_0": f"{deadline:%Y-%m-%d}",
            "signup_deadline_1": f"{deadline:%H:%M:%S}",
            "venue": "红盟书吧",
            "capacity": 20,
            "points": 500,
            "is_published": "on",
            "signups-TOTAL_FORMS": 0,
            "signups-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    activity.refresh_from_db()
    assert (activity.title, activity.capacity, activity.points) == ("读书分享会", 20, 5)


def test_the_activity_list_links_to_the_check_in_desk(client, admin_contact, organisation):
    activity = make_activity(organisation=organisation)
    client.force_login(admin_contact)
    html = client.get(reverse("admin:services_activity_changelist")).content.decode()
    assert reverse("services:activity_desk", args=[activity.pk]) in html
    assert client.get(reverse("services:activity_desk", args=[activity.pk])).status_code == 200


@pytest.mark.parametrize("model", ["servicerequest", "activity", "signup", "attendance"])
def test_the_organisation_filter_offers_only_organisations_in_scope(
    client, admin_contact, staff, organisation, other_organisation, service, member, model
):
    # One row of each model for each organisation; the filter is related-only, so it offers
    # the organisations among the rows the user may see.
    for org, title in [(organisation, "读书会"), (other_organisation, "徒步")]:
        activity = make_activity(organisation=org, title=title)
        SignUp.objects.create(activity=activity, member=member, status="confirmed")
        Attendance.objects.create(activity=activity, member=member, method="list")
        ServiceRequest.objects.create(
            service=service,
            requester=member.user,
            details="需要帮助",
            status="dispatched",
            organisation=org,
            dispatched_at=timezone.now(),
        )
    client.force_login(admin_contact)
    html = client.get(reverse(f"admin:services_{model}_changelist")).content.decode()
    assert "晨曦社工" not in html
    client.force_login(staff)
    response = client.get(reverse(f"admin:services_{model}_changelist"))
    (spec,) = [
        s
        for s in response.context["cl"].filter_specs
        if "organisation" in getattr(s, "field_path", "")
    ]
    assert {str(label) for _pk, label in spec.lookup_choices} == {
        organisation.name,
        other_organisation.name,
    }
