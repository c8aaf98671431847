"""Each security event type leaves one audit record with user, address and outcome."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from members.audit import AuditEvent
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
Kind = AuditEvent.Kind


def kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))


@pytest.mark.django_db
def test_login_success_records_user_and_address(client, member_user):
    client.post(LOGIN, {"login": "13812345678", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(kind=Kind.LOGIN_SUCCESS)
    assert event.user == member_user
    assert event.ip_address == "10.1.2.3"
    assert event.success is True


@pytest.mark.django_db
def test_login_failure_records_the_masked_login_name(client, member_user):
    client.post(LOGIN, {"login": "13812345678", "password": "wrong password 123"})
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILURE)
    assert event.success is False
    assert event.username == "138****5678"
    assert "13812345678" not in str(event.details)


@pytest.mark.django_db
def test_trusted_proxy_header_gives_the_address(client, member_user, settings):
    settings.TRUSTED_PROXY_IP_HEADER = "X-Real-IP"
    client.post(
        LOGIN,
        {"login": "13812345678", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="203.0.113.9",
    )
    assert AuditEvent.objects.get(kind=Kind.LOGIN_SUCCESS).ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_lockout_is_recorded_against_the_account(client, member_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"login": "13812345678", "password": "wrong password 123"})
    event = AuditEvent.objects.get(kind=Kind.LOCKOUT)
    assert event.user == member_user
    assert event.success is False


@pytest.mark.django_db
def test_logout_is_recorded(client, member_user):
    client.force_login(member_user)
    client.post("/accounts/logout/")
    assert AuditEvent.objects.get(kind=Kind.LOGOUT).user == member_user


@pytest.mark.django_db
def test_password_change_is_recorded_once_without_the_password(client, member_user):
    client.force_login(member_user)
    new = "another long pass phrase 77"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGE)
    assert events.count() == 1
    assert events[0].user == member_user
    assert new not in str(events[0].details)


@pytest.mark.django_db
def test_a_hash_upgrade_at_login_is_not_a_password_change(member_user):
    member_user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGE).exists()


@pytest.mark.django_db
def test_role_change_is_recorded_both_ways(staff, member_user):
    group = Group.objects.create(name="Auditor test")
    member_user.groups.add(group)
    group.user_set.remove(member_user)
    events = AuditEvent.objects.filter(kind=Kind.ROLE_CHANGE).order_by("pk")
    assert [e.details["action"] for e in events] == ["post_add", "post_remove"]
    assert all(e.object_id == str(member_user.pk) for e in events)
    assert events[0].details["groups"] == ["Auditor test"]


@pytest.mark.django_db
def test_permission_denied_page_is_recorded(client, make_staff):
    user = make_staff("nobody@example.cn")
    client.force_login(user)
    response = client.get(reverse("admin:members_member_changelist"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(kind=Kind.PERMISSION_DENIED)
    assert event.user == user
    assert event.success is False
    assert event.details["path"] == reverse("admin:members_member_changelist")
