"""One matrix: every role x every admin model and public page x every action.

The specs live in `tests/roles/matrix/<app>.py`, one per admin model and per public page
about one row. Given the world of `conftest.py` (for each scoped model one row inside the
role's scope, "own", and one outside, "other"; "any" for a model without scope), when each
role tries each action (view, change, delete, export, and opening the add page) on each row
through the staff admin, then exactly the allowed ones succeed. A refusal is 403 (no
permission for the action) or 404 (the row is outside the scope); a change is the change
form posted back with `_save` and is allowed when it redirects (a refused one leaves the row
as it was); an export is allowed for a row when the file contains it. Public pages are tried
by the staff roles, a plain member and an anonymous visitor.
"""

from __future__ import annotations

import csv
import io

import pytest
from django import forms
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import NoReverseMatch, reverse

from members.audit import AuditEvent
from tests.roles.matrix import (
    ACTIONS,
    PUBLIC_ROLES,
    ROLES,
    AdminSpec,
    PageSpec,
    change_form_data,
    collect,
    form_errors,
)

ADMIN_SPECS, PAGE_SPECS = collect()


def _admin_url(spec: AdminSpec, view: str, *args) -> str | None:
    try:
        return reverse(f"admin:{spec.admin_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _refused_or_ok(response) -> bool:
    if response.status_code in (403, 404):
        return False
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return True


def _stored(row) -> dict:
    return model_to_dict(type(row)._base_manager.get(pk=row.pk))


def attempt_change(client, superuser_client, spec: AdminSpec, row) -> bool:
    """POST the change form back as rendered, with `_save`: a redirect means it was saved.

    The data comes from the role's own form when it shows a Save button, else from the
    form a superuser sees, so a role that may not change the row still posts a whole form
    and the refusal is the permission check's, not a validation error's.
    """
    url = _admin_url(spec, "change", row.pk)
    page = client.get(url)
    if 'name="_save"' not in page.content.decode():
        page = superuser_client.get(url)
    data = change_form_data(page) if page.status_code == 200 else {"_save": "Save"}
    if spec.change_data is not None:
        data.update(spec.change_data(row))
    before = _stored(row)
    response = client.post(url, data)
    if response.status_code in (403, 404):
        assert _stored(row) == before, "a refused change changed the row"
        return False
    # 200 = the form came back with errors: the generic data builder (or the spec's
    # change_data) is wrong, not a refusal.
    assert response.status_code == 302, (response.status_code, form_errors(response))
    assert "/login/" not in response["Location"], response["Location"]
    return True


def attempt(client, spec: AdminSpec, action: str, row, superuser_client=None) -> bool:
    """Try `action` on `row` in the admin; True if it was allowed, False if refused."""
    if action == "add":
        url = _admin_url(spec, "add")
        return url is not None and _refused_or_ok(client.get(url))
    if action == "view":
        return _refused_or_ok(client.get(_admin_url(spec, "change", row.pk)))
    if action == "change":
        return attempt_change(client, superuser_client, spec, row)
    if action == "delete":
        url = _admin_url(spec, "delete", row.pk)
        return url is not None and _refused_or_ok(client.get(url))
    url = _admin_url(spec, "export")
    if url is None:
        return False
    page = client.get(url)
    if not _refused_or_ok(page):
        return False
    assert spec.marker is not None, f"{spec.model} has an export: give its spec a marker"
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
    assert list(csv.reader(io.StringIO(text))), "an export always has its header row"
    return spec.marker(row) in text


def walk_admin(client, world, staff, role: str, spec: AdminSpec) -> tuple[dict, dict]:
    """Each (action, row) a role tries in the admin: what happened and what the spec says."""
    rows = spec.rows(world)
    client.force_login(world["users"][role])
    superuser_client = Client()
    superuser_client.force_login(staff)
    allowed = spec.allowed.get(role, {})
    outcome, expected = {}, {}
    for action in (*ACTIONS, "add"):
        for key, row in rows.items():
            if action == "add" and key != next(iter(rows)):
                continue  # the add page is not about a row: try it once
            where = "new" if action == "add" else key
            outcome[(action, where)] = attempt(client, spec, action, row, superuser_client)
            expected[(action, where)] = bool(allowed.get(action)) and (
                action == "add" or key in allowed[action]
            )
    return outcome, expected


def walk_page(client, world, role: str, spec: PageSpec) -> tuple[dict, dict]:
    """Each row's public page (or its POST) as the role: what happened and what the spec says."""
    rows = spec.rows(world)
    if role != "anonymous":
        client.force_login(world["users"][role])
    outcome, expected = {}, {}
    for key, row in rows.items():
        if spec.attempt is not None:
            outcome[key] = spec.attempt(client, row)
        else:
            response = client.get(spec.url(row))
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], response["Location"]
                outcome[key] = False
            else:
                outcome[key] = _refused_or_ok(response)
        expected[key] = key in spec.allowed.get(role, frozenset())
    return outcome, expected


MATRIX = [
    *(
        pytest.param(role, spec, id=f"admin:{spec.model}-{role}")
        for spec in ADMIN_SPECS
        for role in ROLES
    ),
    # Public pages use the same scoped QuerySet methods as the admin; a member and an
    # anonymous visitor try them too.
    *(
        pytest.param(role, spec, id=f"page:{spec.name}-{role}")
        for spec in PAGE_SPECS
        for role in PUBLIC_ROLES
    ),
]


@pytest.mark.parametrize(("role", "spec"), MATRIX)
def test_role_matrix(client, world, staff, role, spec):
    """Every role x every admin model and public page x every action: allowed exactly as the
    spec says, refused (403/404, the row unchanged) otherwise."""
    if isinstance(spec, AdminSpec):
        outcome, expected = walk_admin(client, world, staff, role, spec)
    else:
        outcome, expected = walk_page(client, world, role, spec)
    assert outcome == expected


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

    from members.refusals import Refused
    from points import actions as points_actions
    from services import actions as services_actions

    contact = world["users"]["alliance_contact"]
    request = world["servicerequest"]["other"]
    request.status = "requested"
    with pytest.raises(ValidationError) as refused:
        services_actions.dispatch_request(
            request=request, organisation=world["activity"]["own"].organisation, by=contact
        )
    assert refused.value.code == "forbidden"
    with pytest.raises(Refused) as not_owner:
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
    # The outbox rows, sent here (with Redis configured the queued tasks go to a worker).
    from tests.notices.conftest import deliver_pending

    assert event.pk
    deliver_pending()
    recipients = {address for message in mailoutbox for address in message.to}
    assert "centre@example.cn" in recipients
    assert not recipients & {"contact@example.cn", "operator@example.cn", "auditor@example.cn"}


@pytest.mark.parametrize(
    ("obj", "url_name"), [("activity", "services:activity_desk"), ("dutyweek", "rota:report_new")]
)
def test_a_foreign_id_on_a_public_page_is_404_and_recorded(client, world, obj, url_name):
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
