"""A branch secretary cannot use the member form to learn whether an ID number is recorded
in another branch; centre staff are told plainly. The one-member-per-number rule holds for both.

The secretary and centre staff are real role holders (deqing_hub.roles).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from deqing_hub import roles
from members.audit import AuditEvent
from members.models import Member
from tests.conftest import make_user
from tests.factories import MemberFactory
from tests.members.conftest import ID_NUMBERS
from tests.members.test_member_admin import _change_data

TAKEN = "已有其他党员使用此身份证号"
REFUSED = "此身份证号无法在此登记"


@pytest.fixture
def secretary(db, branch):
    roles.setup_roles()
    user = make_user(email="secretary@example.cn", phone="13900000011", staff=True)
    user.groups.add(roles.group_of(roles.BRANCH_SECRETARY))
    branch.secretary = user
    branch.save()
    return user


@pytest.fixture
def elsewhere(other_branch):
    """A member of a branch the secretary does not see, with a recorded ID number."""
    person = MemberFactory(name="外支部党员", branch=other_branch, id_number_consent=True)
    person.id_number = ID_NUMBERS[1]
    person.save()
    return person


@pytest.fixture
def own(branch):
    return MemberFactory(name="本支部党员", branch=branch, id_number_consent=True)


def submit(client, person, number):
    return client.post(
        reverse("admin:members_member_change", args=[person.pk]),
        _change_data(person, id_number_consent="on", new_id_number=number),
    )


def test_a_secretary_is_not_told_the_number_is_in_another_branch(client, secretary, own, elsewhere):
    client.force_login(secretary)
    response = submit(client, own, ID_NUMBERS[1])
    assert response.status_code == 200
    text = response.content.decode()
    assert TAKEN not in text and elsewhere.name not in text
    assert REFUSED in text
    own.refresh_from_db()
    assert own.id_number == ""  # the rule still holds
    # The refusal is on record with the clashing member, so probing shows in the trail.
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
    assert (event.user, event.object_id) == (secretary, str(elsewhere.pk))
    assert ID_NUMBERS[1] not in str(event.details)


def test_a_clash_in_the_secretarys_own_branch_reads_the_same(client, secretary, own, branch):
    # Else "taken here" versus "cannot be recorded" would tell the two apart.
    neighbour = MemberFactory(branch=branch, id_number_consent=True)
    neighbour.id_number = ID_NUMBERS[2]
    neighbour.save()
    client.force_login(secretary)
    text = submit(client, own, ID_NUMBERS[2]).content.decode()
    assert REFUSED in text and TAKEN not in text


def test_a_free_number_is_recorded_for_a_secretary(client, secretary, own, elsewhere):
    client.force_login(secretary)
    assert submit(client, own, ID_NUMBERS[2]).status_code == 302
    own.refresh_from_db()
    assert own.id_number == ID_NUMBERS[2]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).exists()


def test_centre_staff_are_told_the_number_is_taken(client, centre, own, elsewhere):
    client.force_login(centre)
    response = submit(client, own, ID_NUMBERS[1])
    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    own.refresh_from_db()
    assert own.id_number == ""
    assert Member.objects.filter(id_number_digest=elsewhere.id_number_digest).count() == 1
