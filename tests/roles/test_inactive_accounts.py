"""Inactive accounts are listed; disabling an account ends its sessions at once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members import actions
from members.audit import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def aged(email: str, phone: str, *, last_login_days=None, joined_days=0):
    user = make_user(email=email, phone=phone)
    now = timezone.now()
    user.date_joined = now - timedelta(days=joined_days)
    user.last_login = now - timedelta(days=last_login_days) if last_login_days is not None else None
    user.save(update_fields=["date_joined", "last_login"])
    return user


def test_lists_accounts_unused_for_90_days_masked(member_user):
    old = aged("old@example.cn", "13100000001", last_login_days=91, joined_days=400)
    aged("recent@example.cn", "13100000002", last_login_days=89, joined_days=400)
    never = aged("never@example.cn", "13100000003", joined_days=100)
    aged("new@example.cn", "13100000004", joined_days=10)
    out = StringIO()
    call_command("list_inactive_accounts", stdout=out)
    lines = out.getvalue().splitlines()
    listed = {int(line.split("\t")[0]) for line in lines if "\t" in line}
    assert listed == {old.pk, never.pk}
    assert "old@example.cn" not in out.getvalue()
    assert "o***@example.cn" in out.getvalue()
    assert "2" in lines[-1]


def test_disabling_ends_the_sessions_at_once(client, staff, member_user):
    browser = Client()
    browser.force_login(member_user)
    assert browser.get("/me/").status_code == 200
    other_user_session = Client()
    other_user_session.force_login(staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:members_user_changelist"),
        {"action": "disable_accounts", "_selected_action": [member_user.pk]},
    )
    assert response.status_code == 302
    member_user.refresh_from_db()
    assert member_user.is_active is False
    # The member's open browser is logged out on its next request.
    assert browser.get("/me/").status_code == 302
    decoded = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(member_user.pk) not in decoded
    assert str(staff.pk) in decoded  # other people's sessions stay
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_DISABLED)
    assert (event.user, event.object_id) == (staff, str(member_user.pk))
    assert event.details == {"sessions_ended": 1}


def test_disabling_twice_records_once(staff, member_user):
    actions.disable_account(user=member_user, by=staff)
    actions.disable_account(user=member_user, by=staff)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_DISABLED).count() == 1


def test_nobody_disables_their_own_account(staff):
    with pytest.raises(ValidationError):
        actions.disable_account(user=staff, by=staff)
    staff.refresh_from_db()
    assert staff.is_active
