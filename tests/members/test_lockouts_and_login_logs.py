"""Lockouts and login logs in the admin: one unlocking path, masked detail pages, exact search.

Centre staff and the auditor are real role holders (deqing_hub.roles), not superusers.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from tests.conftest import make_user

ATTEMPTS = "admin:axes_accessattempt_changelist"


@pytest.fixture
def auditor(centre):
    user = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    user.groups.add(roles.group_of(roles.AUDITOR))
    return user


@pytest.fixture
def colleague(db):
    return make_user(email="colleague@example.cn", phone="13912345678", last_name="张")


def attempt(username: str, ip: str = "10.0.0.5", failures: int = 5) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address=ip,
        user_agent="test",
        path_info="/accounts/login/",
        failures_since_start=failures,
    )


def unlock_events():
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_CHANGE, details__action="unlock")


# --- One unlocking path ------------------------------------------------------------------------


def test_unlocking_from_the_accounts_list_or_the_lockout_list_records_the_same(
    client, centre, colleague
):
    client.force_login(centre)
    attempt(f"account:{colleague.pk}", failures=5)
    client.post(
        reverse("admin:members_user_changelist"),
        {"action": "unlock_accounts", "_selected_action": [colleague.pk]},
    )
    from_accounts = unlock_events().get()
    first = attempt(f"account:{colleague.pk}", ip="10.0.0.5", failures=5)
    second = attempt(f"account:{colleague.pk}", ip="10.0.0.6", failures=2)
    client.post(reverse(ATTEMPTS), {"action": "unlock", "_selected_action": [first.pk, second.pk]})
    from_lockouts = unlock_events().exclude(pk=from_accounts.pk).get()
    assert not AccessAttempt.objects.exists()
    for event in (from_accounts, from_lockouts):
        assert (event.user, event.content_type.model, event.object_id) == (
            centre,
            "user",
            str(colleague.pk),
        )
    assert from_accounts.details == {"action": "unlock", "attempts_cleared": 1, "failures": 5}
    assert from_lockouts.details == {"action": "unlock", "attempts_cleared": 2, "failures": 7}


def test_the_delete_page_unlocks_through_the_same_path(client, centre, colleague):
    row = attempt(f"account:{colleague.pk}")
    client.force_login(centre)
    url = reverse("admin:axes_accessattempt_delete", args=[row.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    event = unlock_events().get()
    assert event.object_id == str(colleague.pk)
    assert event.details == {"action": "unlock", "attempts_cleared": 1, "failures": 5}


def test_a_name_that_is_no_account_is_unlocked_and_recorded_masked(client, centre):
    row = attempt("13700001111", failures=3)
    client.force_login(centre)
    client.post(reverse(ATTEMPTS), {"action": "delete_selected", "_selected_action": [row.pk]})
    client.post(
        reverse(ATTEMPTS),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    event = unlock_events().get()
    assert event.object_id in (None, "") and event.content_type is None
    assert event.details == {
        "action": "unlock",
        "attempts_cleared": 1,
        "failures": 3,
        "login": "137****1111",
    }


def test_unlocking_twice_records_once(client, centre, colleague):
    row = attempt(f"account:{colleague.pk}")
    client.force_login(centre)
    for _ in range(2):
        client.post(reverse(ATTEMPTS), {"action": "unlock", "_selected_action": [row.pk]})
    assert unlock_events().count() == 1


# --- Detail pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "heading"),
    [
        (AccessAttempt, "登录失败计数"),
        (AccessLog, "登录日志"),
        (AccessFailureLog, "登录失败日志"),
    ],
)
def test_the_detail_pages_show_the_login_name_masked_and_in_chinese(
    client, auditor, model, heading
):
    fields = {"failures_since_start": 5} if model is AccessAttempt else {}
    row = model.objects.create(
        username="13812345678",
        ip_address="10.0.0.9",
        user_agent="x",
        path_info="/admin/login/",
        **fields,
    )
    client.force_login(auditor)
    page = client.get(reverse(f"admin:axes_{model._meta.model_name}_change", args=[row.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "13812345678" not in text
    assert "138****5678" in text
    assert heading in text
    for english in ("Failed access", "Access Log for", "Attempted Access"):
        assert english not in text
    assert "138****5678 的登录" in page.context["subtitle"]


def test_the_delete_confirmation_shows_the_login_name_masked(client, centre):
    row = attempt("13812345678")
    client.force_login(centre)
    page = client.get(reverse("admin:axes_accessattempt_delete", args=[row.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "13812345678" not in text and "Attempted Access" not in text
    assert "138****5678" in text
    selected = {"action": "delete_selected", "_selected_action": [row.pk]}
    bulk = client.post(reverse(ATTEMPTS), selected)
    assert bulk.status_code == 200
    text = bulk.content.decode()
    assert "13812345678" not in text and "138****5678" in text


# --- Search: whole login names only ------------------------------------------------------------


@pytest.mark.parametrize("model", [AccessLog, AccessFailureLog])
def test_the_login_logs_find_a_whole_mobile_never_a_part(client, auditor, colleague, model):
    known = model.objects.create(
        username=f"account:{colleague.pk}", ip_address="10.0.0.9", user_agent="x", path_info="/"
    )
    unknown = model.objects.create(
        username="13700001111", ip_address="10.0.0.8", user_agent="x", path_info="/"
    )
    client.force_login(auditor)
    url = reverse(f"admin:axes_{model._meta.model_name}_changelist")

    def found(term):
        return set(client.get(url, {"q": term}).context["cl"].result_list)

    assert found("1391234") == set()
    assert found("139 1234 5678") == {known}  # the account, whichever way it is typed
    assert found("colleague@example.cn") == {known}
    assert found("colleague") == set()
    assert found("1370000") == set()
    assert found("13700001111") == {unknown}
    assert found("10.0.0.8") == {unknown}  # addresses are searched as before
