"""The libraries' models in the admin: e-mail addresses, the schedule, roles, reveal records."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from deqing_hub import roles
from members.audit import AuditEvent
from members.models import PersonalDataReveal
from tests.conftest import make_user
from tests.factories import MemberFactory
from tests.members.conftest import grant


@pytest.fixture
def unconfirmed(db):
    user = make_user(email="wanglei@example.cn", phone="13698765432")
    address = user.emailaddress_set.get()
    address.verified = False
    address.save()
    return address


@pytest.fixture
def task(db):
    schedule = CrontabSchedule.objects.create(minute="10", hour="4", timezone="Asia/Shanghai")
    return PeriodicTask.objects.create(
        name="members-purge-audit", task="members.purge_audit", crontab=schedule
    )


def test_email_addresses_are_masked_in_the_list(client, centre, unconfirmed):
    client.force_login(centre)
    page = client.get(reverse("admin:account_emailaddress_changelist")).content.decode()
    assert "w***@example.cn" in page
    assert "wanglei@example.cn" not in page


def test_centre_staff_confirm_an_address_and_it_is_recorded(client, centre, unconfirmed):
    client.force_login(centre)
    response = client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "confirm_addresses", "_selected_action": [unconfirmed.pk]},
    )
    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    assert unconfirmed.verified
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EMAIL_CONFIRMED)
    assert event.user_id == unconfirmed.user_id
    assert "wanglei@example.cn" not in str(event.details)


def test_centre_staff_cannot_point_an_address_at_another_mailbox(client, centre, unconfirmed):
    client.force_login(centre)
    url = reverse("admin:account_emailaddress_change", args=[unconfirmed.pk])
    response = client.post(url, {"email": "thief@example.cn", "verified": "on", "primary": "on"})
    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    assert (unconfirmed.email, unconfirmed.verified) == ("wanglei@example.cn", True)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert event.details["changes"] == {"verified": {"before": False, "after": True}}
    assert not EmailAddress.objects.filter(email="thief@example.cn").exists()


def test_centre_staff_pause_a_task_and_it_is_recorded(client, centre, task):
    client.force_login(centre)
    response = client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.enabled is False
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert event.details["changes"] == {"enabled": {"before": True, "after": False}}
    # Pausing again changes nothing and records nothing more.
    client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "disable_tasks", "_selected_action": [task.pk]},
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_CHANGE).count() == 1


def test_centre_staff_cannot_change_what_a_task_runs(client, centre, task):
    client.force_login(centre)
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    response = client.post(
        url,
        {"task": "wishes.tasks.send_staff_digest", "args": '["x"]', "description": "节假日暂停"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.task, task.args, task.enabled) == ("members.purge_audit", "[]", False)
    assert task.description == "节假日暂停"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert set(event.details["changes"]) == {"enabled", "description"}


def test_centre_staff_cannot_edit_a_role(client, centre):
    role = roles.group_of(roles.BRANCH_SECRETARY)
    client.force_login(centre)
    url = reverse("admin:auth_group_change", args=[role.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = set(role.permissions.values_list("pk", flat=True))
    assert client.post(url, {"name": "支部书记", "permissions": []}).status_code == 403
    assert set(role.permissions.values_list("pk", flat=True)) == before


def test_the_reveal_log_masks_names_and_is_the_auditors(client, centre, member_user):
    reveal = PersonalDataReveal.objects.create(
        member=MemberFactory(name="王小明"), revealed_by=member_user, channel="admin"
    )
    auditor = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    auditor.groups.add(roles.group_of(roles.AUDITOR))
    url = reverse("admin:members_personaldatareveal_changelist")
    client.force_login(centre)
    assert client.get(url).status_code == 403
    client.force_login(auditor)
    page = client.get(url).content.decode()
    assert "王*明" in page and "王小明" not in page
    change = client.get(reverse("admin:members_personaldatareveal_change", args=[reveal.pk]))
    assert 'name="_save"' not in change.content.decode()


def test_a_secretary_cannot_link_a_login_to_a_member(client, secretary, member):
    stranger = make_user(email="stranger@example.cn", phone="13700000077")
    client.force_login(secretary)
    url = reverse("admin:members_member_change", args=[member.pk])
    assert 'name="user"' not in client.get(url).content.decode()
    data = {
        "name": member.name,
        "gender": member.gender,
        "branch": member.branch_id,
        "status": member.status,
        "id_number_consent": "on",
        "talent_programme": member.talent_programme,
        "talent_origin": member.talent_origin,
        "is_active": "on",
        "user": stranger.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.user_id != stranger.pk


def test_the_audit_trail_names_people_masked(client, member_user):
    from members.audit import record_event

    roles.setup_roles()
    auditor = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    auditor.groups.add(roles.group_of(roles.AUDITOR))
    nameless = make_user(email="wanglei@example.cn", phone="13698765432")
    record_event(AuditEvent.Kind.LOGOUT, user=nameless)
    record_event(AuditEvent.Kind.LOGOUT, user=member_user)
    client.force_login(auditor)
    page = client.get(reverse("admin:members_auditevent_changelist")).content.decode()
    # Without a name an account goes by its masked mobile (else its masked e-mail).
    assert f"136****5432 (#{nameless.pk})" in page and "wanglei@example.cn" not in page
    assert "13698765432" not in page
    assert f"王*明 (#{member_user.pk})" in page and "王小明" not in page


def test_centre_staff_make_another_address_primary(client, centre):
    user = make_user(email="old@example.cn", phone="13698765432")
    second = EmailAddress.objects.create(user=user, email="new@example.cn", verified=True)
    client.force_login(centre)
    response = client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "make_primary", "_selected_action": [second.pk]},
    )
    assert response.status_code == 302
    assert list(user.emailaddress_set.filter(primary=True)) == [second]
    user.refresh_from_db()
    assert user.email == "new@example.cn"
    changes = AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_CHANGE)
    assert {event.content_type.model for event in changes} >= {"emailaddress", "user"}
    assert "new@example.cn" not in str([event.details for event in changes])


def test_revealing_another_branchs_member_is_404_and_recorded(client, secretary, other_branch):
    grant(secretary, "members.reveal_personal_data")
    stranger = MemberFactory(branch=other_branch)
    client.force_login(secretary)
    response = client.post(reverse("admin:members_member_reveal", args=[stranger.pk]))
    assert response.status_code == 404
    assert not PersonalDataReveal.objects.exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.user, event.object_id, event.success) == (secretary, str(stranger.pk), False)


def test_the_enterprise_list_counts_its_members(client, staff, member, enterprise):
    MemberFactory(branch=member.branch, employer=enterprise)
    client.force_login(staff)
    response = client.get(reverse("admin:members_enterprise_changelist"))
    [row] = response.context["cl"].result_list
    assert (row, row.n_members) == (enterprise, 2)
