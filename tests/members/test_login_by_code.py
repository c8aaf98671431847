"""A member logs in with the mobile number and a one-time code sent by SMS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from members.models import AuditEvent

REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


@pytest.fixture
def sms_folder(settings, tmp_path) -> Path:
    settings.SMS_BACKEND = "members.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path
    return tmp_path


def sent_codes(folder: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    return [re.search(r"\b(\d{6})\b", t.split("\n\n", 1)[1]).group(1) for t in texts]


def test_member_logs_in_by_mobile_and_sms_code(client, member_user, sms_folder):
    response = client.post(REQUEST, {"phone": "138 1234 5678"})
    assert response.status_code == 302 and response["Location"] == CONFIRM
    [path] = sms_folder.glob("*.txt")
    body = path.read_text(encoding="utf-8")
    assert "To: 13812345678" in body
    assert "德清地理信息小镇党群服务中心" in body and "5分钟" in body
    [code] = sent_codes(sms_folder)
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.session["_auth_user_id"] == str(member_user.pk)
    member_user.refresh_from_db()
    assert member_user.phone_verified
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_SUCCESS, user=member_user).exists()


def test_a_reused_code_does_not_log_in_again(client, member_user, sms_folder):
    client.post(REQUEST, {"phone": "13812345678"})
    [code] = sent_codes(sms_folder)
    client.post(CONFIRM, {"code": code})
    client.logout()
    response = client.post(CONFIRM, {"code": code})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_wrong_code_is_refused_and_counted_as_a_failed_login(client, member_user, sms_folder):
    client.post(REQUEST, {"phone": "13812345678"})
    response = client.post(CONFIRM, {"code": "000000"})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILURE).count() == 1


def test_an_expired_code_is_refused(client, member_user, sms_folder):
    client.post(REQUEST, {"phone": "13812345678"})
    [code] = sent_codes(sms_folder)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6), tick=False):
        response = client.post(CONFIRM, {"code": code})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_wrong_codes_lock_the_account_for_password_logins_too(
    client, member_user, sms_folder, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(REQUEST, {"phone": "13812345678"})
        client.post(CONFIRM, {"code": "000000"})
    from tests.conftest import PASSWORD

    response = client.post("/accounts/login/", {"login": "member@example.cn", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_account_cannot_log_in_by_code(client, member_user, sms_folder, settings):
    settings.AXES_FAILURE_LIMIT = 1
    client.post("/accounts/login/", {"login": "13812345678", "password": "wrong password 1"})
    client.post(REQUEST, {"phone": "13812345678"})
    [code] = sent_codes(sms_folder)
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_unknown_number_reads_the_same_and_gets_no_text(client, db, sms_folder):
    response = client.post(REQUEST, {"phone": "13900009999"})
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert list(sms_folder.glob("*.txt")) == []
    assert client.post(CONFIRM, {"code": "123456"}).status_code == 200


def test_codes_are_rate_limited_per_number(member_user, sms_folder):
    # Each request from a fresh browser: within one session a pending code is simply reused.
    for _ in range(3):
        Client().post(REQUEST, {"phone": "13812345678"})
    response = Client().post(REQUEST, {"phone": "+86 13812345678"})
    assert response.status_code == 200
    assert "验证码请求过于频繁，请 10 分钟后再试" in response.content.decode()
    assert len(sent_codes(sms_folder)) == 3


def test_a_pending_code_is_not_sent_again_by_reloading(client, member_user, sms_folder):
    client.post(REQUEST, {"phone": "13812345678"})
    client.post(REQUEST, {"phone": "13812345678"})
    assert len(sent_codes(sms_folder)) == 1


def test_a_gateway_failure_says_so(client, member_user, settings):
    settings.SMS_BACKEND = "tests.members.sms_outbox.BrokenBackend"
    response = client.post(REQUEST, {"phone": "13812345678"}, follow=True)
    assert "短信未能发出" in response.content.decode()


def test_the_login_page_says_how_members_get_in(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "党员账号由党群服务中心邀请开通" in page
    assert REQUEST in page


def test_the_code_page_asks_for_the_mobile_first(client, db):
    page = client.get(REQUEST).content.decode()
    assert "用短信验证码登录" in page and "5 分钟内有效" in page
    # The mobile box comes before the e-mail box, which is offered as the other way in.
    assert page.index('name="phone"') < page.index('name="email"')
    assert "或填写电子邮箱" in page
    assert 'inputmode="tel"' in page


def test_the_confirm_page_offers_cancel_as_the_secondary_button(client, member_user, sms_folder):
    client.post(REQUEST, {"phone": "13812345678"})
    page = client.get(CONFIRM).content.decode()
    assert "验证码" in page and "代码" not in page.replace("验证码", "")
    assert re.search(r'class="button button-secondary"[^>]*>\s*取消', page)
