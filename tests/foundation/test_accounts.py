"""Login by mobile or e-mail, lockout, sign-up verification, password rules, session limits."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from deqing_hub.sessions import SessionStore
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_member_logs_in_by_mobile(client, member_user):
    response = client.post(LOGIN, {"login": "13812345678", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(member_user.pk)


def test_member_logs_in_by_mobile_typed_with_full_width_digits_and_country_code(
    client, member_user
):
    response = client.post(LOGIN, {"login": "+86 １３８ １２３４ ５６７８", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(member_user.pk)


def test_member_logs_in_by_email_in_any_case(client, member_user):
    response = client.post(LOGIN, {"login": "Member@Example.CN", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(member_user.pk)


def test_wrong_password_is_refused_with_a_chinese_message(client, member_user):
    response = client.post(LOGIN, {"login": "13812345678", "password": "wrong password 123"})
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    assert "不正确" in response.content.decode()


def test_member_login_locks_out_after_repeated_failures_even_with_the_right_password(
    client, member_user, settings
):
    responses = [
        client.post(LOGIN, {"login": "13812345678", "password": "wrong password 123"})
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429  # Axes locks the account out
    for login in ["13812345678", "member@example.cn"]:  # however the account is typed
        response = client.post(LOGIN, {"login": login, "password": PASSWORD})
        assert logged_in_user_id(client) is None
        assert "登录失败次数过多" in response.content.decode()


def test_admin_login_locks_out_after_repeated_failures(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(ADMIN_LOGIN, {"username": staff.username, "password": "wrong password 123"})
    response = client.post(ADMIN_LOGIN, {"username": staff.username, "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert logged_in_user_id(client) is None
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.parametrize("typed", ["13900000001", "+86 139 0000 0001", "１３９００００００01"])
def test_staff_log_in_to_the_admin_by_mobile(client, staff, typed):
    response = client.post(ADMIN_LOGIN, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(staff.pk)


def test_admin_login_by_mobile_refuses_a_wrong_password_or_an_unknown_mobile(client, staff):
    for typed, password in [("13900000001", "wrong password 123"), ("13900000009", PASSWORD)]:
        response = client.post(ADMIN_LOGIN, {"username": typed, "password": password})
        assert response.status_code == 200
        assert logged_in_user_id(client) is None


def test_admin_lockout_counts_mobile_and_email_as_one_account(client, staff, settings):
    for typed in ["13900000001", "staff@example.cn"] * settings.AXES_FAILURE_LIMIT:
        client.post(ADMIN_LOGIN, {"username": typed, "password": "wrong password 123"})
    response = client.post(ADMIN_LOGIN, {"username": "139 0000 0001", "password": PASSWORD})
    assert logged_in_user_id(client) is None
    assert "登录失败次数过多" in response.content.decode()


def test_other_accounts_are_not_locked_by_one_account_failures(
    client, member_user, public_user, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"login": "13812345678", "password": "wrong password 123"})
    response = client.post(LOGIN, {"login": "public@example.cn", "password": PASSWORD})
    assert response.status_code == 302


def test_sign_up_requires_email_verification(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.cn",
            "password1": "a long enough pass 9",
            "password2": "a long enough pass 9",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.cn")
    assert len(mail.outbox) == 1
    assert "new@example.cn" in mail.outbox[0].to
    # Not verified yet: logging in leads to the verification page, not into the portal.
    client.logout()
    client.post(LOGIN, {"login": "new@example.cn", "password": "a long enough pass 9"})
    assert logged_in_user_id(client) is None
    assert user.emailaddress_set.get().verified is False


@pytest.mark.parametrize("password", ["short pass", "password1234", "123456789012345"])
def test_sign_up_refuses_short_common_or_numeric_passwords(client, password):
    response = client.post(
        "/accounts/signup/",
        {"email": "weak@example.cn", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="weak@example.cn").exists()
    assert 'class="errorlist' in response.content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, member_user):
    known = client.post("/accounts/password/reset/", {"email": "member@example.cn"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_passwords_are_hashed_with_argon2(member_user):
    member_user.refresh_from_db()
    assert identify_hasher(member_user.password).algorithm == "argon2"


def test_session_ends_after_thirty_idle_minutes(client, member_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(member_user)
        assert client.get("/").context["user"].is_authenticated
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").context["user"].is_authenticated  # activity renews the idle limit
        traveller.shift(timedelta(minutes=31))
        assert not client.get("/").context["user"].is_authenticated


def _stored_expiry(client):
    return Session.objects.get(pk=client.session.session_key).expire_date


def test_an_unchanged_session_is_stored_again_only_after_a_minute(client, member_user):
    """The idle limit is counted from the last renewal, at most a minute before the last request
    (deqing_hub/sessions.py): no UPDATE of the session row on every request."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(member_user)
        client.get("/")
        renewed = _stored_expiry(client)
        traveller.shift(timedelta(seconds=59))
        assert client.get("/").context["user"].is_authenticated
        assert _stored_expiry(client) == renewed  # not written
        traveller.shift(timedelta(seconds=1))
        client.get("/")
        assert _stored_expiry(client) == renewed + timedelta(seconds=60)
        renewed = _stored_expiry(client)
        traveller.shift(timedelta(seconds=59))
        client.get("/")  # not stored: the session ends 30 minutes after the renewal before it
        assert _stored_expiry(client) == renewed
        traveller.shift(timedelta(minutes=29, seconds=2))
        assert not client.get("/").context["user"].is_authenticated


def test_a_changed_session_is_stored_at_once():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = SessionStore()
        first["step"] = 1
        first.save()
        traveller.shift(timedelta(seconds=5))
        again = SessionStore(first.session_key)
        again["step"] = 2
        again.save()
        assert SessionStore(first.session_key)["step"] == 2
        assert Session.objects.get().expire_date == timezone.now() + timedelta(minutes=30)


def test_session_ends_after_twelve_hours_however_active(client, member_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(member_user)
        for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
            assert client.get("/").context["user"].is_authenticated
            traveller.shift(timedelta(minutes=20))
        traveller.shift(timedelta(minutes=5))
        assert not client.get("/").context["user"].is_authenticated


def test_an_account_with_only_a_mobile_logs_in_without_an_email_step(client):
    user = get_user_model().objects.create_user(phone="13655556666", password=PASSWORD)
    assert user.email == ""
    response = client.post(LOGIN, {"login": "13655556666", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_an_account_with_an_unverified_email_still_must_verify_it(client):
    user = get_user_model().objects.create_user(
        email="unverified@example.cn", phone="13655557777", password=PASSWORD
    )
    response = client.post(LOGIN, {"login": "13655557777", "password": PASSWORD})
    assert logged_in_user_id(client) is None
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not user.emailaddress_set.filter(verified=True).exists()
