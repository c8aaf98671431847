"""Self-sign-up with a mobile verified by an SMS code; a number on the roll links the member."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import timezone

from members.models import AuditEvent, Member, User
from tests.factories import MemberFactory
from tests.members.test_login_by_code import sent_codes

SIGNUP = "/accounts/signup/"
VERIFY = "/accounts/phone/verify/"
PASSWORD = "a long sign-up password 2026"


@pytest.fixture
def sms_folder(settings, tmp_path):
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    return tmp_path


@pytest.fixture
def on_roll(branch):
    return MemberFactory(name="陈静", email="", mobile="13966667777", branch=branch)


def _sign_up(client, phone, **extra):
    return client.post(
        SIGNUP, {"phone": phone, "password1": PASSWORD, "password2": PASSWORD, **extra}
    )


def test_a_number_on_the_roll_is_linked_once_the_code_is_verified(client, on_roll, sms_folder):
    response = _sign_up(client, "139 6666 7777")
    assert response.status_code == 302 and response["Location"] == VERIFY
    user = User.objects.get(phone="13966667777")
    # Typed, not yet verified: no link, no points of someone else.
    assert not user.phone_verified
    assert Member.objects.get(pk=on_roll.pk).user is None
    [code] = sent_codes(sms_folder)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert Member.objects.get(pk=on_roll.pk).user == user
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.MEMBER_LINKED, user=user, object_id=str(on_roll.pk)
    ).exists()


def test_a_wrong_code_links_nothing(client, on_roll, sms_folder):
    _sign_up(client, "13966667777")
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert Member.objects.get(pk=on_roll.pk).user is None
    assert "_auth_user_id" not in client.session


def test_an_expired_code_links_nothing(client, on_roll, sms_folder):
    _sign_up(client, "13966667777")
    [code] = sent_codes(sms_folder)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6), tick=False):
        client.post(VERIFY, {"code": code})
    assert Member.objects.get(pk=on_roll.pk).user is None
    assert "_auth_user_id" not in client.session


def test_a_number_not_on_the_roll_gives_a_public_account(client, db, sms_folder):
    _sign_up(client, "13955554444")
    [code] = sent_codes(sms_folder)
    response = client.post(VERIFY, {"code": code})
    assert response["Location"] == "/me/"
    user = User.objects.get(phone="13955554444")
    assert user.phone_verified and not Member.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.MEMBER_LINKED).exists()


def test_a_member_already_linked_is_not_taken_over(client, on_roll, member_user, sms_folder):
    on_roll.user = member_user
    on_roll.save()
    _sign_up(client, "13966667777")
    # The roll's number belongs to a linked member whose account has another mobile.
    [code] = sent_codes(sms_folder)
    client.post(VERIFY, {"code": code})
    assert Member.objects.get(pk=on_roll.pk).user == member_user


def test_two_members_with_the_same_number_link_neither(client, on_roll, branch, sms_folder):
    MemberFactory(name="陈静二", email="", mobile="13966667777", branch=branch)
    _sign_up(client, "13966667777")
    [code] = sent_codes(sms_folder)
    client.post(VERIFY, {"code": code})
    assert not Member.objects.filter(user__phone="13966667777").exists()


def test_sign_up_needs_a_mobile_or_an_email(client, db, sms_folder):
    response = client.post(SIGNUP, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert "请填写手机号或电子邮箱" in response.content.decode()
    assert not User.objects.exists()
