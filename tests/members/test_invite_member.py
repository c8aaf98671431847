"""Staff invite a member: an account is created and an invitation goes by SMS and/or e-mail.

The invitation (in Chinese, signed by the centre) leads to a page titled 开通账号 where the member
sets a password and lands logged in on /me/. Links expire, can be re-sent (earlier links then
stop working) and every step is in the audit trail.
"""

import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from members import actions
from members.models import AuditEvent, Invitation, Member, User
from tests.factories import MemberFactory
from tests.members.conftest import grant

NEW_PASSWORD = "a long new password 2026"
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)")


@pytest.fixture
def unlinked(branch):
    return MemberFactory(name="李华", email="lihua@example.cn", mobile="13911112222", branch=branch)


@pytest.fixture
def sms_outbox(settings):
    from tests.members import sms_outbox

    settings.SMS_BACKEND = "tests.members.sms_outbox.ListBackend"
    sms_outbox.OUTBOX.clear()
    return sms_outbox.OUTBOX


def _open(client, path):
    return client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_invite_sends_a_chinese_invitation_by_email_and_sms(
    client, staff, unlinked, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = actions.invite_member(member=unlinked, by=staff)
    unlinked.refresh_from_db()
    assert unlinked.user == user
    assert (user.email, user.phone, user.has_usable_password()) == (
        "lihua@example.cn",
        "13911112222",
        False,
    )
    assert EmailAddress.objects.filter(user=user, email="lihua@example.cn", verified=True).exists()
    [email] = mail.outbox
    assert email.to == ["lihua@example.cn"]
    assert "德清地理信息小镇党群服务中心" in email.subject and "开通" in email.subject
    assert "李华" in email.body and "testserver" not in email.body and "重置" not in email.body
    [sms] = sms_outbox
    assert sms["numbers"] == ["13911112222"] and "德清地理信息小镇党群服务中心" in sms["text"]
    assert LINK.search(sms["text"]).group(1) == LINK.search(email.body).group(1)
    invitation = Invitation.objects.get()
    assert (invitation.by_sms, invitation.by_email) == (True, True)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.INVITATION_SENT)
    assert event.user == staff and event.object_id == str(unlinked.pk)


def test_the_member_opens_the_link_sets_a_password_and_lands_on_me(
    client, staff, unlinked, sms_outbox
):
    user = actions.invite_member(member=unlinked, by=staff)
    path = LINK.search(sms_outbox[0]["text"]).group(1)
    page = client.get(path).content.decode()
    assert (
        re.search(r"<title>\s*开通账号：设置密码\s*</title>", page) and "<h1>开通账号</h1>" in page
    )
    response = _open(client, path)
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.phone_verified
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.INVITATION_ACCEPTED, user=user).exists()

    # The link is spent; afterwards the mobile and the new password log in.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "已失效" in again.content.decode()
    assert _open(client, path).status_code == 410
    response = client.post(
        reverse("account_login"), {"login": "13911112222", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, staff, unlinked, sms_outbox):
    actions.invite_member(member=unlinked, by=staff)
    path = LINK.search(sms_outbox[0]["text"]).group(1)
    response = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert Invitation.objects.usable().count() == 1


def test_an_expired_invitation_is_refused_and_audited(client, staff, unlinked, sms_outbox):
    user = actions.invite_member(member=unlinked, by=staff)
    path = LINK.search(sms_outbox[0]["text"]).group(1)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8), tick=False):
        response = _open(client, path)
    assert response.status_code == 410
    assert "过期" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.INVITATION_REFUSED, success=False
    ).exists()


def test_a_made_up_link_is_refused(client, db):
    assert client.get("/accounts/invitation/not-a-token/").status_code == 410


def test_resend_sends_a_new_link_and_the_old_one_stops_working(client, staff, unlinked, sms_outbox):
    actions.invite_member(member=unlinked, by=staff)
    old = LINK.search(sms_outbox[0]["text"]).group(1)
    actions.resend_invitation(member=unlinked, by=staff)
    new = LINK.search(sms_outbox[1]["text"]).group(1)
    assert old != new
    assert _open(client, old).status_code == 410
    assert _open(client, new)["Location"] == "/me/"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.INVITATION_SENT).count() == 2
    # Once the account is open there is nothing to re-send.
    with pytest.raises(ValidationError):
        actions.resend_invitation(member=unlinked, by=staff)


def test_invite_by_phone_only(client, staff, branch, sms_outbox):
    person = MemberFactory(name="赵六", email="", mobile="13933334444", branch=branch)
    user = actions.invite_member(member=person, by=staff)
    assert (user.phone, user.email) == ("13933334444", "")
    assert mail.outbox == []
    [sms] = sms_outbox
    assert "赵六" in sms["text"]
    _open(client, LINK.search(sms["text"]).group(1))
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "13933334444", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_a_failed_text_creates_no_account_when_there_is_no_email(settings, staff, branch):
    settings.SMS_BACKEND = "tests.members.sms_outbox.BrokenBackend"
    person = MemberFactory(name="赵六", email="", mobile="13933334444", branch=branch)
    with pytest.raises(ValidationError) as caught:
        actions.invite_member(member=person, by=staff)
    assert "短信" in caught.value.messages[0]
    assert not User.objects.filter(phone="13933334444").exists()
    assert Member.objects.get(pk=person.pk).user is None
    assert not Invitation.objects.exists()


def test_a_failed_text_still_invites_by_email(
    settings, staff, unlinked, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.members.sms_outbox.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_member(member=unlinked, by=staff)
    assert len(mail.outbox) == 1
    invitation = Invitation.objects.get()
    assert (invitation.by_sms, invitation.by_email) == (False, True)


def test_invite_refuses_twice_and_taken_addresses(staff, unlinked, member):
    actions.invite_member(member=unlinked, by=staff)
    with pytest.raises(ValidationError):
        actions.invite_member(member=unlinked, by=staff)
    clash = MemberFactory(email="member@example.cn", mobile="", branch=unlinked.branch)
    with pytest.raises(ValidationError) as caught:
        actions.invite_member(member=clash, by=staff)
    assert "电子邮箱已被其他账号使用" in caught.value.messages[0]
    assert User.objects.filter(email__iexact="member@example.cn").count() == 1


def test_invite_without_contact_is_refused(staff, branch):
    person = MemberFactory(email="", mobile="", branch=branch)
    with pytest.raises(ValidationError):
        actions.invite_member(member=person, by=staff)


def test_invite_needs_permission_and_scope(secretary, unlinked, other_branch):
    with pytest.raises(PermissionDenied):
        actions.invite_member(member=unlinked, by=secretary)
    grant(secretary, "members.invite_member")
    stranger = MemberFactory(email="x@example.cn", branch=other_branch)
    with pytest.raises(PermissionDenied):
        actions.invite_member(member=stranger, by=secretary)
    actions.invite_member(member=unlinked, by=secretary)
    with pytest.raises(PermissionDenied):
        actions.resend_invitation(member=stranger, by=secretary)


def test_admin_actions_invite_and_resend(
    client, staff, unlinked, sms_outbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_member_changelist"),
            {"action": "invite_to_log_in", "_selected_action": [unlinked.pk]},
            follow=True,
        )
    assert "已邀请 1 名党员。" in response.content.decode()
    assert len(mail.outbox) == 1
    response = client.post(
        reverse("admin:members_member_changelist"),
        {"action": "resend_invitation", "_selected_action": [unlinked.pk]},
        follow=True,
    )
    assert "已重新发送 1 份邀请。" in response.content.decode()
    assert len(sms_outbox) == 2
