"""Staff link a member to a login: an account is created and a password link is e-mailed."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from members import actions
from members.models import Member, User
from tests.factories import MemberFactory
from tests.members.conftest import grant


@pytest.fixture
def unlinked(branch):
    return MemberFactory(name="李华", email="lihua@example.cn", mobile="13911112222", branch=branch)


def _request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def test_invite_by_email_creates_login_and_sends_link(
    client, staff, unlinked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = actions.invite_member(member=unlinked, by=staff, request=_request(staff))
    unlinked.refresh_from_db()
    assert unlinked.user == user
    assert (user.email, user.phone, user.has_usable_password()) == (
        "lihua@example.cn",
        "13911112222",
        False,
    )
    assert EmailAddress.objects.filter(user=user, email="lihua@example.cn", primary=True).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lihua@example.cn"]
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # The member follows the link, sets a password and can log in by mobile.
    path = link.group(0).split("testserver", 1)[-1]
    form_page = client.get(path, follow=True)
    new_password = "a long new password 2026"
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    user.refresh_from_db()
    assert user.check_password(new_password)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "13911112222", "password": new_password}
    )
    assert response.status_code == 302 and response["Location"] == "/me/"


@pytest.fixture
def sms_outbox(settings):
    from tests.members import sms_outbox

    settings.SMS_BACKEND = "tests.members.sms_outbox.ListBackend"
    sms_outbox.OUTBOX.clear()
    return sms_outbox.OUTBOX


def test_invite_by_phone_texts_the_link(client, staff, branch, sms_outbox):
    person = MemberFactory(name="赵六", email="", mobile="13933334444", branch=branch)
    user = actions.invite_member(member=person, by=staff, request=_request(staff))
    assert (user.phone, user.email) == ("13933334444", "")
    assert Member.objects.get(pk=person.pk).user == user
    assert mail.outbox == []
    [sms] = sms_outbox
    assert sms["numbers"] == ["13933334444"] and "赵六" in sms["text"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", sms["text"])
    assert link, sms["text"]

    # The member opens the link on the phone and sets a password. (Logging in afterwards is
    # then up to the site's e-mail verification setting: see the report to the lead.)
    form_page = client.get(link.group(1), follow=True)
    new_password = "a long new password 2026"
    client.post(
        form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
    )
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_a_failed_text_creates_no_account(settings, staff, branch):
    settings.SMS_BACKEND = "tests.members.sms_outbox.BrokenBackend"
    person = MemberFactory(name="赵六", email="", mobile="13933334444", branch=branch)
    with pytest.raises(ValidationError) as caught:
        actions.invite_member(member=person, by=staff, request=_request(staff))
    assert "短信" in caught.value.messages[0]
    assert not User.objects.filter(phone="13933334444").exists()
    assert Member.objects.get(pk=person.pk).user is None


def test_invite_refuses_twice_and_taken_addresses(staff, unlinked, member):
    actions.invite_member(member=unlinked, by=staff, request=_request(staff))
    with pytest.raises(ValidationError):
        actions.invite_member(member=unlinked, by=staff, request=_request(staff))
    clash = MemberFactory(email="member@example.cn", mobile="", branch=unlinked.branch)
    with pytest.raises(ValidationError) as caught:
        actions.invite_member(member=clash, by=staff, request=_request(staff))
    assert "电子邮箱已被其他账号使用" in caught.value.messages[0]
    assert User.objects.filter(email__iexact="member@example.cn").count() == 1


def test_invite_without_contact_is_refused(staff, branch):
    person = MemberFactory(email="", mobile="", branch=branch)
    with pytest.raises(ValidationError):
        actions.invite_member(member=person, by=staff, request=_request(staff))


def test_invite_needs_permission_and_scope(secretary, unlinked, other_branch):
    with pytest.raises(PermissionDenied):
        actions.invite_member(member=unlinked, by=secretary, request=_request(secretary))
    grant(secretary, "members.invite_member")
    stranger = MemberFactory(email="x@example.cn", branch=other_branch)
    with pytest.raises(PermissionDenied):
        actions.invite_member(member=stranger, by=secretary, request=_request(secretary))
    actions.invite_member(member=unlinked, by=secretary, request=_request(secretary))


def test_admin_action_invites(client, staff, unlinked, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_member_changelist"),
            {"action": "invite_to_log_in", "_selected_action": [unlinked.pk]},
            follow=True,
        )
    assert "已邀请 1 名党员。" in response.content.decode()
    assert len(mail.outbox) == 1
