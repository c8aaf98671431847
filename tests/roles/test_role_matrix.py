"""One matrix: every role x scoped object x admin action (view, change, delete, export).

Given the world of `conftest.py` (for each model one row inside the role's scope, "own", and
one outside, "other"), when each role tries each action on each row through the staff admin,
then exactly the allowed ones succeed. A refusal is 403 (no permission for the action) or 404
(the row is outside the scope); an export is allowed for a row when the file contains it.
"""

from __future__ import annotations

import csv
import io

import pytest
from django import forms
from django.urls import reverse

from members.audit import AuditEvent

ROLES = ["centre_staff", "branch_secretary", "alliance_contact", "operator", "auditor", "no_role"]
# What identifies a row in an exported file.
MARKERS = {
    "member": {"own": "王小明", "other": "李大伟"},
    "dutyweek": {"own": "团县委", "other": "晨曦社工"},
    "voucher": {"own": "OWNA1234", "other": "OTHB5678"},
}
ADMIN = {
    "member": "members_member",
    "dutyweek": "rota_dutyweek",
    "voucher": "points_voucher",
    "servicerequest": "services_servicerequest",
    "activity": "services_activity",
    "auditevent": "members_auditevent",
    "claim": "wishes_claim",
}
ACTIONS = ["view", "change", "delete", "export"]

ALL = {"own", "other"}
OWN = {"own"}
# role -> object -> action -> the rows ("own"/"other") on which the action is allowed.
ALLOWED: dict[str, dict[str, dict[str, set[str]]]] = {
    "centre_staff": {
        "member": {"view": ALL, "change": ALL, "delete": ALL, "export": ALL},
        "dutyweek": {"view": ALL, "change": ALL, "delete": ALL, "export": ALL},
        "voucher": {"view": ALL, "export": ALL},  # a ledger: read-only for everyone
        "servicerequest": {"view": ALL, "change": ALL, "delete": ALL},
        "activity": {"view": ALL, "change": ALL, "delete": ALL},
        "claim": {"view": ALL, "delete": ALL},  # claims change only through the wish page
    },
    "branch_secretary": {"member": {"view": OWN, "change": OWN, "export": OWN}},
    "alliance_contact": {
        "dutyweek": {"view": OWN, "export": OWN},
        "servicerequest": {"view": OWN},
        "activity": {"view": OWN, "change": OWN},
        "claim": {"view": OWN},
    },
    "operator": {"voucher": {"view": OWN, "export": OWN}},
    "auditor": {"auditevent": {"view": ALL}},
    "no_role": {},
}
OBJECTS = ["member", "dutyweek", "voucher", "servicerequest", "activity", "claim", "auditevent"]
CASES = [
    (role, obj, action, scope)
    for role in ROLES
    for obj in OBJECTS
    for action in ACTIONS
    for scope in (["own"] if obj == "auditevent" else ["own", "other"])
    if action != "export" or obj in MARKERS
]


def attempt(client, action: str, obj: str, row, marker: str | None) -> bool:
    """Try `action` on `row` in the admin; True if it was allowed, False if refused."""
    name = ADMIN[obj]
    if action in ("view", "change"):
        response = client.get(reverse(f"admin:{name}_change", args=[row.pk]))
        if response.status_code in (403, 404):
            return False
        assert response.status_code == 200
        if action == "view":
            return True
        return 'name="_save"' in response.content.decode()
    if action == "delete":
        response = client.get(reverse(f"admin:{name}_delete", args=[row.pk]))
        if response.status_code in (403, 404):
            return False
        assert response.status_code == 200
        return True
    url = reverse(f"admin:{name}_export")
    page = client.get(url)
    if page.status_code == 403:
        return False
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        field_name: "on"
        for field_name, field in form.fields.items()
        if isinstance(field, forms.BooleanField)
    }
    data["format"] = next(
        value for value, label in form.fields["format"].choices if str(label).lower() == "csv"
    )
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows, "an export always has its header row"
    return marker in text


@pytest.mark.parametrize(("role", "obj", "action", "scope"), CASES)
def test_role_matrix(client, world, role, obj, action, scope):
    row = world[obj][scope]
    client.force_login(world["users"][role])
    marker = MARKERS.get(obj, {}).get(scope)
    expected = scope in ALLOWED[role].get(obj, {}).get(action, set())
    assert attempt(client, action, obj, row, marker) is expected


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_the_admin_index(client, world, role):
    """A role-less staff account sees an empty admin, not an error."""
    client.force_login(world["users"][role])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    if role == "no_role":
        assert response.context["app_list"] == []


def test_a_foreign_id_in_the_url_is_recorded(client, world):
    client.force_login(world["users"]["alliance_contact"])
    other = world["dutyweek"]["other"]
    assert client.get(reverse("admin:rota_dutyweek_change", args=[other.pk])).status_code == 404
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert event.object_id == str(other.pk)
    assert event.user == world["users"]["alliance_contact"]


PUBLIC = {
    # page -> (object, url name): the same scoped QuerySet methods as the admin.
    "request_detail": ("servicerequest", "services:request_detail"),
    "activity_desk": ("activity", "services:activity_desk"),
    "report_new": ("dutyweek", "rota:report_new"),
}
PUBLIC_ALLOWED = {
    # Duty reports are filed by the organisation's contact; staff use the admin.
    "centre_staff": {"request_detail": ALL, "activity_desk": ALL},
    "alliance_contact": {"request_detail": OWN, "activity_desk": OWN, "report_new": OWN},
}


@pytest.mark.parametrize("page", list(PUBLIC))
@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("role", ["centre_staff", "alliance_contact", "branch_secretary"])
def test_public_pages_use_the_same_scope(client, world, role, page, scope):
    """An alliance contact with admin access is not centre staff on the portal's pages either."""
    obj, url_name = PUBLIC[page]
    client.force_login(world["users"][role])
    response = client.get(reverse(url_name, args=[world[obj][scope].pk]))
    allowed = scope in PUBLIC_ALLOWED.get(role, {}).get(page, set())
    assert response.status_code in ((200,) if allowed else (403, 404))


def test_centre_staff_cannot_make_themselves_superuser(client, world, staff):
    centre = world["users"]["centre_staff"]
    client.force_login(centre)
    own_page = client.get(reverse("admin:members_user_change", args=[centre.pk]))
    assert own_page.status_code == 200
    assert 'name="is_superuser"' not in own_page.content.decode()
    assert 'name="user_permissions"' not in own_page.content.decode()
    superuser_page = client.get(reverse("admin:members_user_change", args=[staff.pk]))
    assert 'name="_save"' not in superuser_page.content.decode()
    response = client.post(reverse("admin:auth_group_add"), {"name": "all powers"})
    assert response.status_code == 403


def test_admin_access_does_not_make_a_contact_centre_staff_in_the_actions(world):
    """is_staff only opens the admin door; what a user may do comes from the role."""
    from django.core.exceptions import ValidationError

    from points import actions as points_actions
    from points.actions import PointsError
    from services import actions as services_actions

    contact = world["users"]["alliance_contact"]
    request = world["servicerequest"]["other"]
    request.status = "requested"
    with pytest.raises(ValidationError) as refused:
        services_actions.dispatch_request(
            request=request, organisation=world["activity"]["own"].organisation, by=contact
        )
    assert refused.value.code == "forbidden"
    with pytest.raises(PointsError) as not_owner:
        points_actions.cancel_voucher(
            voucher=world["voucher"]["own"], by=world["users"]["operator"]
        )
    assert not_owner.value.code == "not_owner"


def test_staff_notices_of_new_requests_go_to_centre_staff_only(world, mailoutbox):
    from services import actions as services_actions
    from services.models import RequestEvent

    template = world["servicerequest"]["own"]
    request = services_actions.request_service(
        service=template.service, requester=template.requester, details="需要党建指导"
    )
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.REQUESTED)
    # The task's body, run here (with Redis configured the queued task goes to a worker).
    services_actions.send_request_notice(event_id=event.pk)
    recipients = {address for message in mailoutbox for address in message.to}
    assert "centre@example.cn" in recipients
    assert not recipients & {"contact@example.cn", "operator@example.cn", "auditor@example.cn"}


@pytest.mark.parametrize("page", ["activity_desk", "report_new"])
def test_a_foreign_id_on_a_public_page_is_404_and_recorded(client, world, page):
    obj, url_name = PUBLIC[page]
    client.force_login(world["users"]["alliance_contact"])
    other = world[obj]["other"]
    assert client.get(reverse(url_name, args=[other.pk])).status_code == 404
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.object_id, event.success) == (str(other.pk), False)
    assert event.content_type.model == obj


def test_a_missing_id_is_404_without_a_record(client, world):
    client.force_login(world["users"]["alliance_contact"])
    assert client.get(reverse("rota:report_new", args=[999999])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()
