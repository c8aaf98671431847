"""The accounts admin: unlocking a locked-out account, roles without escalation, masked mobiles.

Centre staff are a real role holder (deqing_hub.roles), not a superuser, so what they may do
comes from the role as in production.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import timezone

from deqing_hub import roles
from members.audit import AuditEvent
from tests.conftest import PASSWORD, make_user

ADMIN_LOGIN = "/admin/login/"
USERS = "admin:members_user_changelist"


@pytest.fixture
def colleague(db):
    return make_user(
        email="colleague@example.cn",
        phone="13912345678",
        staff=True,
        last_name="张",
        first_name="三",
    )


def lock_out(client, user, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(ADMIN_LOGIN, {"username": user.email, "password": "wrong password 123"})
    client.post(ADMIN_LOGIN, {"username": user.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") is None, "locked out"


def change_form_data(user, **changes) -> dict:
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "new_phone": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "phone_verified": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value not in ("", None)}


def test_centre_staff_unlock_a_locked_out_account_and_it_is_recorded(
    client, centre, colleague, settings
):
    # Given a colleague locked out of the admin login
    lock_out(client, colleague, settings)
    assert AccessAttempt.objects.filter(username=f"account:{colleague.pk}").exists()
    # When centre staff unlock the account from the accounts list
    client.force_login(centre)
    response = client.post(
        reverse(USERS), {"action": "unlock_accounts", "_selected_action": [colleague.pk]}
    )
    assert response.status_code == 302
    # Then the attempts are gone, the unlock is in the audit trail and the colleague logs in
    assert not AccessAttempt.objects.filter(username=f"account:{colleague.pk}").exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, details__action="unlock")
    assert (event.user, event.object_id) == (centre, str(colleague.pk))
    assert event.details["failures"] >= settings.AXES_FAILURE_LIMIT
    client.logout()
    client.post(ADMIN_LOGIN, {"username": colleague.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(colleague.pk)


def test_unlocking_an_account_that_is_not_locked_records_nothing(client, centre, colleague):
    client.force_login(centre)
    for _ in range(2):
        client.post(
            reverse(USERS), {"action": "unlock_accounts", "_selected_action": [colleague.pk]}
        )
    assert not AuditEvent.objects.filter(details__action="unlock").exists()


def test_deleting_a_lockout_in_the_axes_list_is_recorded(client, centre, colleague, settings):
    lock_out(client, colleague, settings)
    attempt = AccessAttempt.objects.get(username=f"account:{colleague.pk}")
    client.force_login(centre)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": [attempt.pk]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    # One unlocking use case: recorded on the account, as from the accounts list.
    event = AuditEvent.objects.get(details__action="unlock")
    assert (event.content_type.model, event.object_id) == ("user", str(colleague.pk))
    assert event.details["attempts_cleared"] == 1


def test_the_auditor_reads_lockouts_but_cannot_unlock(client, colleague, settings):
    roles.setup_roles()
    auditor = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    auditor.groups.add(roles.group_of(roles.AUDITOR))
    lock_out(client, colleague, settings)
    attempt = AccessAttempt.objects.get()
    client.force_login(auditor)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert "unlock" not in page.content.decode()  # no action offered
    client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": [attempt.pk]},
    )
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]))
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


@pytest.mark.parametrize("model", [AccessLog, AccessFailureLog])
def test_the_login_logs_are_read_only_even_for_superusers(client, staff, model):
    row = model.objects.create(
        username="13812345678", ip_address="10.0.0.9", user_agent="x", path_info="/admin/login/"
    )
    client.force_login(staff)
    name = model._meta.model_name
    page = client.get(reverse(f"admin:axes_{name}_changelist")).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = client.get(reverse(f"admin:axes_{name}_delete", args=[row.pk]))
    assert response.status_code == 403
    change = client.get(reverse(f"admin:axes_{name}_change", args=[row.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()


def test_centre_staff_cannot_change_their_own_roles(client, centre):
    auditor_role = roles.group_of(roles.AUDITOR)
    client.force_login(centre)
    url = reverse("admin:members_user_change", args=[centre.pk])
    assert 'name="groups"' not in client.get(url).content.decode()
    client.post(url, change_form_data(centre, groups=[str(auditor_role.pk)]))
    assert list(centre.groups.all()) == [roles.group_of(roles.CENTRE_STAFF)]


@pytest.mark.parametrize("who", ["centre", "staff"])
def test_nobody_can_lock_themselves_out_from_their_own_account_page(client, request, who):
    """Saving one's own account with "active" or "staff" unticked (a superuser too) changes
    neither: the boxes are not on the form."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = reverse("admin:members_user_change", args=[user.pk])
    page = client.get(url).content.decode()
    assert 'name="is_active"' not in page and 'name="is_staff"' not in page
    data = change_form_data(user, is_active="", is_staff="")
    if user.is_superuser:  # a superuser's form also shows the account's dates
        joined = timezone.localtime(user.date_joined)
        data |= {"date_joined_0": f"{joined:%Y-%m-%d}", "date_joined_1": f"{joined:%H:%M:%S}"}
    response = client.post(url, data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.is_staff
    assert client.get(reverse("admin:index")).status_code == 200


def test_centre_staff_give_roles_but_not_the_auditors(client, centre, colleague):
    secretary_role = roles.group_of(roles.BRANCH_SECRETARY)
    auditor_role = roles.group_of(roles.AUDITOR)
    client.force_login(centre)
    url = reverse("admin:members_user_change", args=[colleague.pk])
    page = client.get(url)
    choices = {str(pk) for pk, _label in page.context["adminform"].form.fields["groups"].choices}
    assert str(secretary_role.pk) in choices and str(auditor_role.pk) not in choices
    refused = client.post(url, change_form_data(colleague, groups=[str(auditor_role.pk)]))
    assert refused.status_code == 200  # the form comes back with an error
    assert not colleague.groups.exists()
    response = client.post(url, change_form_data(colleague, groups=[str(secretary_role.pk)]))
    assert response.status_code == 302
    assert list(colleague.groups.all()) == [secretary_role]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_CHANGE, object_id=str(colleague.pk))
    assert event.user == centre
    assert event.details["groups"] == [roles.BRANCH_SECRETARY.name]


def test_only_a_superuser_changes_an_auditors_account(client, centre, staff):
    # Its password or e-mail would hand the audit trail to someone who changes data.
    auditor = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    auditor.groups.add(roles.group_of(roles.AUDITOR))
    client.force_login(centre)
    url = reverse("admin:members_user_change", args=[auditor.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, change_form_data(auditor, groups=[])).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[auditor.pk])
    assert client.get(password).status_code == 403
    client.post(reverse(USERS), {"action": "disable_accounts", "_selected_action": [auditor.pk]})
    auditor.refresh_from_db()
    assert auditor.is_active
    assert list(auditor.groups.all()) == [roles.group_of(roles.AUDITOR)]
    client.force_login(staff)  # a superuser
    assert 'name="_save"' in client.get(url).content.decode()


def test_the_accounts_list_masks_mobiles_and_email_addresses(client, centre, colleague):
    nameless = make_user(email="wanglei@example.cn", phone="13698765432")
    client.force_login(centre)
    page = client.get(reverse(USERS)).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "136****5432" in page and "wanglei@example.cn" not in page
    assert "w***@example.cn" in page
    found = client.get(reverse(USERS), {"q": "13698765432"}).context["cl"].result_list
    assert list(found) == [nameless]


def test_the_account_form_shows_the_mobile_masked_and_only_replaces_it(client, centre, colleague):
    client.force_login(centre)
    url = reverse("admin:members_user_change", args=[colleague.pk])
    page = client.get(url).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    taken = client.post(url, change_form_data(colleague, new_phone=centre.phone))
    assert taken.status_code == 200
    assert "已有其他账号使用此手机号" in taken.content.decode()
    response = client.post(url, change_form_data(colleague, new_phone="139 0000 1111"))
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.phone == "13900001111"
    kept = client.post(url, change_form_data(colleague, last_name="李"))
    assert kept.status_code == 302
    colleague.refresh_from_db()
    assert (colleague.phone, colleague.last_name) == ("13900001111", "李")


def test_a_login_name_made_from_a_mobile_is_masked_on_the_form(client, centre):
    from members.models import User

    handle = User.objects.create_user(username="13911112222", phone="13911112222")
    client.force_login(centre)
    url = reverse("admin:members_user_change", args=[handle.pk])
    page = client.get(url).content.decode()
    assert "139****2222" in page and "13911112222" not in page
    data = change_form_data(handle, username="", email="", is_staff="")
    assert client.post(url, data).status_code == 302
    handle.refresh_from_db()
    assert handle.username == "13911112222"
