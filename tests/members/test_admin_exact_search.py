"""Admin searches match whole mobiles, e-mail addresses and login names, never a part of one.

A part would let staff spell out a masked mobile digit by digit ("1391234" -> one account).
Centre staff are a real role holder (deqing_hub.roles), not a superuser.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from deqing_hub import roles
from tests.conftest import make_user
from tests.factories import MemberFactory


@pytest.fixture
def colleague(db):
    return make_user(
        email="colleague@example.cn", phone="13912345678", last_name="张", first_name="三"
    )


def found(client, url, term) -> set:
    return set(client.get(url, {"q": term}).context["cl"].result_list)


@pytest.mark.parametrize(
    ("term", "hit"),
    [
        ("1391234", False),
        ("5678", False),
        ("colleague", False),
        ("@example.cn", False),
        ("13912345678", True),
        ("139 1234 5678", True),
        ("+86 139-1234-5678", True),
        ("Colleague@Example.cn", True),
        ("张", True),  # names as before
    ],
)
def test_the_accounts_list_finds_whole_mobiles_and_addresses_only(
    client, centre, colleague, term, hit
):
    client.force_login(centre)
    result = found(client, reverse("admin:members_user_changelist"), term)
    assert (colleague in result) is hit


def test_the_account_autocomplete_searches_the_same_way(client, centre, colleague):
    client.force_login(centre)
    url = reverse("admin:autocomplete")
    params = {"app_label": "members", "model_name": "branch", "field_name": "secretary"}

    def ids(term):
        response = client.get(url, {**params, "term": term})
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("1391234") == set()
    assert ids("colleague@") == set()
    assert ids("13912345678") == {str(colleague.pk)}


def test_the_email_address_list_finds_whole_addresses_only(client, centre, colleague):
    client.force_login(centre)
    url = reverse("admin:account_emailaddress_changelist")
    address = EmailAddress.objects.get(user=colleague)
    assert found(client, url, "colleague") == set()
    assert found(client, url, "example.cn") == set()
    assert found(client, url, "colleague@example.cn") == {address}


def test_the_member_list_finds_a_whole_mobile_or_address_never_a_part(client, centre):
    person = MemberFactory(name="李四", mobile="13987654321", email="sili.work@example.cn")
    MemberFactory(name="王五", mobile="13700001111", branch=person.branch)
    client.force_login(centre)
    url = reverse("admin:members_member_changelist")
    assert found(client, url, "1398765") == set()
    assert found(client, url, "sili.work") == set()
    assert found(client, url, "139 8765 4321") == {person}
    assert found(client, url, "Sili.Work@example.cn") == {person}
    assert found(client, url, "139****4321") == {person}  # the masked form, as listed


def test_the_audit_trail_finds_an_actor_by_whole_address_only(client, centre, colleague):
    from members.audit import AuditEvent, record_event

    auditor = make_user(email="auditor@example.cn", phone="13500000102", staff=True)
    auditor.groups.add(roles.group_of(roles.AUDITOR))
    event = record_event(AuditEvent.Kind.EXPORT, user=colleague, details={})
    client.force_login(auditor)
    url = reverse("admin:members_auditevent_changelist")
    assert found(client, url, "colleague@") == set()
    assert found(client, url, "colleague@example.cn") == {event}
