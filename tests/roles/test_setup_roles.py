"""The roles exist after migrate, and setting them up again changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from deqing_hub import roles

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_running_setup_twice_gives_the_same_roles():
    roles.setup_roles()
    first = snapshot()
    call_command("setup_roles")
    assert snapshot() == first
    assert set(first) >= {role.name for role in roles.ROLES}


def test_setup_resets_a_hand_edited_role():
    roles.setup_roles()
    auditor = roles.group_of(roles.AUDITOR)
    auditor.permissions.clear()
    roles.setup_roles()
    # The auditor's permissions are all named one by one (no "app.*").
    assert snapshot()[roles.AUDITOR.name] == set(roles.AUDITOR.permissions)


def test_centre_staff_hold_every_portal_permission_but_not_the_audit_trail():
    roles.setup_roles()
    held = snapshot()[roles.CENTRE_STAFF.name]
    assert {"members.view_all_branches", "rota.manage_rota", "wishes.moderate_wish"} <= held
    assert {"points.change_exchangepoint", "services.change_service"} <= held
    assert "members.view_auditevent" not in held


def test_the_auditor_changes_nothing():
    roles.setup_roles()
    held = snapshot()[roles.AUDITOR.name]
    assert all(name.split(".")[1].startswith("view_") for name in held)
