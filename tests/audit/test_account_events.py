"""allauth's account pages leave exactly one audit record per event, from allauth's own signals.

Each test drives the real pages (the reset and confirmation links come from the sent mail) and
checks the record's user, address, outcome and an aware time; password saves made by allauth
must not be recorded a second time by the save-based catch.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from members.audit import AuditEvent
from tests.conftest import PASSWORD, make_user

Kind = AuditEvent.Kind
NEW_PASSWORD = "another long pass phrase 77"
ADDRESS = "10.20.30.40"


def only_record(kind: str) -> AuditEvent:
    """The single record of `kind`, failing if there are none or several."""
    events = list(AuditEvent.objects.filter(kind=kind))
    assert len(events) == 1, [e.details for e in events]
    return events[0]


def assert_recorded(event: AuditEvent, *, user, before: dt.datetime) -> None:
    assert event.user == user
    assert event.ip_address == ADDRESS
    assert event.success is True
    assert event.created_at.utcoffset() == dt.timedelta(0)  # aware, stored in UTC
    assert before <= event.created_at <= dt.datetime.now(dt.UTC)


def link_in(message, prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def before() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.mark.django_db
def test_password_change_page_records_one_change(client, member_user, before):
    client.force_login(member_user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    event = only_record(Kind.PASSWORD_CHANGE)
    assert_recorded(event, user=member_user, before=before)
    assert event.details == {"flow": "change"}
    member_user.refresh_from_db()
    assert member_user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_refused_password_change_records_nothing(client, member_user):
    client.force_login(member_user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not my password 1", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGE).exists()


@pytest.mark.django_db
def test_password_set_page_records_one_change(client, before):
    user = make_user(email="invited@example.cn", phone="13600000021")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("account_set_password"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    event = only_record(Kind.PASSWORD_CHANGE)
    assert_recorded(event, user=user, before=before)
    assert event.details == {"flow": "set"}


@pytest.mark.django_db
def test_password_reset_by_the_mailed_link_records_one_reset(
    client, member_user, mailoutbox, before
):
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    [message] = mailoutbox
    key_url = link_in(message, "/accounts/password/reset/key/")
    # allauth moves the key from the link into the session, then shows the form.
    form_url = client.get(key_url).url
    response = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    assert_recorded(only_record(Kind.PASSWORD_RESET), user=member_user, before=before)
    assert not AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGE).exists()
    member_user.refresh_from_db()
    assert member_user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_used_reset_link_records_nothing_more(client, member_user, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    key_url = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    form_url = client.get(key_url).url
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = "a third long pass phrase 99"
    client.get(key_url)
    client.post(form_url, {"password1": again, "password2": again})
    assert AuditEvent.objects.filter(kind=Kind.PASSWORD_RESET).count() == 1
    member_user.refresh_from_db()
    assert member_user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_adding_and_confirming_an_address_records_each_once(
    client, member_user, mailoutbox, before
):
    client.force_login(member_user)
    client.post(
        reverse("account_email"),
        {"action_add": "", "email": "second@example.cn"},
        REMOTE_ADDR=ADDRESS,
    )
    added = only_record(Kind.EMAIL_ADDED)
    assert_recorded(added, user=member_user, before=before)
    assert added.details == {"email": "s***@example.cn"}

    [message] = mailoutbox
    confirm_url = link_in(message, "/accounts/confirm-email/")
    # Confirmed from another device, not logged in: the record still names the account.
    client.logout()
    response = client.post(confirm_url, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    confirmed = only_record(Kind.EMAIL_CONFIRMED)
    assert_recorded(confirmed, user=member_user, before=before)
    assert confirmed.details == {"email": "s***@example.cn"}
    assert "second@example.cn" not in str(list(AuditEvent.objects.values("details")))


@pytest.mark.django_db
def test_primary_change_and_removal_are_recorded_once_each(client, member_user, before):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member_user, email="second@example.cn", verified=True)
    client.force_login(member_user)
    client.post(
        reverse("account_email"),
        {"action_primary": "", "email": "second@example.cn"},
        REMOTE_ADDR=ADDRESS,
    )
    changed = only_record(Kind.EMAIL_CHANGED)
    assert_recorded(changed, user=member_user, before=before)
    assert changed.details == {"from": "m***@example.cn", "to": "s***@example.cn"}

    client.post(
        reverse("account_email"),
        {"action_remove": "", "email": "member@example.cn"},
        REMOTE_ADDR=ADDRESS,
    )
    removed = only_record(Kind.EMAIL_REMOVED)
    assert_recorded(removed, user=member_user, before=before)
    assert removed.details == {"email": "m***@example.cn"}
    assert not EmailAddress.objects.filter(email="member@example.cn").exists()


@pytest.mark.django_db
def test_admin_password_form_is_recorded_once_with_who_changed_it(
    client, staff, member_user, before
):
    client.force_login(staff)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member_user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    event = only_record(Kind.PASSWORD_CHANGE)
    assert_recorded(event, user=member_user, before=before)
    assert event.details == {"flow": "save", "changed_by": staff.pk}


@pytest.mark.django_db
def test_set_password_in_code_is_recorded_once(member_user):
    member_user.set_password(NEW_PASSWORD)
    member_user.save()
    event = only_record(Kind.PASSWORD_CHANGE)
    assert (event.user, event.ip_address, event.details) == (member_user, None, {"flow": "save"})
