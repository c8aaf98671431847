"""Superuser and auditor accounts are changed only by superusers, on every admin page.

Their e-mail, password or lockout in the hands of centre staff would hand the account (and the
audit trail) to someone who changes data. Centre staff and the auditor are real role holders
(deqing_hub.roles), not superusers.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from tests.conftest import make_user

ADDRESSES = "admin:account_emailaddress_changelist"
ATTEMPTS = "admin:axes_accessattempt_changelist"


@pytest.fixture
def auditor(centre):
    user = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    user.groups.add(roles.group_of(roles.AUDITOR))
    return user


@pytest.fixture
def planted(auditor):
    """An unconfirmed second address on the auditor's account, as an attacker would add."""
    return EmailAddress.objects.create(
        user=auditor, email="attacker-controlled@example.cn", verified=False, primary=False
    )


def page_text(response) -> str:
    messages = " ".join(str(m) for m in response.context["messages"]) if response.context else ""
    return response.content.decode() + messages


def test_centre_staff_cannot_confirm_or_promote_an_address_on_the_auditors_account(
    client, centre, auditor, planted
):
    client.force_login(centre)
    for action in ("confirm_addresses", "make_primary"):
        response = client.post(
            reverse(ADDRESSES),
            {"action": action, "_selected_action": [planted.pk]},
            follow=True,
        )
        assert response.status_code == 200
        text = page_text(response)
        assert "attacker-controlled@example.cn" not in text
        assert "a***@example.cn" in text  # the refusal names the address masked
    planted.refresh_from_db()
    auditor.refresh_from_db()
    assert (planted.verified, planted.primary) == (False, False)
    assert auditor.email == "auditor@example.cn"
    change = reverse("admin:account_emailaddress_change", args=[planted.pk])
    assert 'name="_save"' not in client.get(change).content.decode()
    assert client.post(change, {"verified": "on"}).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EMAIL_CONFIRMED).exists()


def test_a_superuser_may_confirm_the_auditors_address(client, staff, auditor, planted):
    client.force_login(staff)
    response = client.post(
        reverse(ADDRESSES),
        {"action": "confirm_addresses", "_selected_action": [planted.pk]},
        follow=True,
    )
    planted.refresh_from_db()
    assert planted.verified
    # allauth's own message would print the whole address: the count is enough.
    assert "attacker-controlled@example.cn" not in page_text(response)


def test_centre_staff_still_confirm_a_members_address(client, centre):
    member = make_user(email="wanglei@example.cn", phone="13698765432")
    address = EmailAddress.objects.create(user=member, email="wl2@example.cn", verified=False)
    client.force_login(centre)
    response = client.post(
        reverse(ADDRESSES),
        {"action": "confirm_addresses", "_selected_action": [address.pk]},
        follow=True,
    )
    address.refresh_from_db()
    assert address.verified
    assert "wl2@example.cn" not in page_text(response)


def lock(user, ip="10.0.0.5") -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=f"account:{user.pk}",
        ip_address=ip,
        user_agent="test",
        path_info="/accounts/login/",
        failures_since_start=5,
    )


def test_centre_staff_cannot_unlock_the_auditors_account_anywhere(client, centre, auditor):
    attempt = lock(auditor)
    client.force_login(centre)
    response = client.post(
        reverse("admin:members_user_changelist"),
        {"action": "unlock_accounts", "_selected_action": [auditor.pk]},
        follow=True,
    )
    assert "只有超级管理员可以解锁此账号" in page_text(response)
    client.post(reverse(ATTEMPTS), {"action": "unlock", "_selected_action": [attempt.pk]})
    client.post(reverse(ATTEMPTS), {"action": "delete_selected", "_selected_action": [attempt.pk]})
    delete = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]))
    assert delete.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert not AuditEvent.objects.filter(details__action="unlock").exists()


def test_a_superuser_unlocks_the_auditors_account(client, staff, auditor):
    lock(auditor)
    client.force_login(staff)
    client.post(
        reverse("admin:members_user_changelist"),
        {"action": "unlock_accounts", "_selected_action": [auditor.pk]},
    )
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.filter(details__action="unlock", object_id=str(auditor.pk)).exists()
