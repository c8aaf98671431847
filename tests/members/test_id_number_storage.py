"""The ID number is kept encrypted, unique through a keyed digest, and only with consent."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from members import actions
from members.models import Member
from tests.concurrency import run_together
from tests.factories import MemberFactory
from tests.members.conftest import ID_NUMBERS


def test_the_database_holds_no_readable_id_number(member):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member WHERE id = %s", [member.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert ID_NUMBERS[0] not in raw
    assert ID_NUMBERS[0][-8:] not in raw  # not even the part a mask would show
    assert Member.objects.get(pk=member.pk).id_number == ID_NUMBERS[0]


def test_equal_numbers_share_a_digest_but_not_a_token(db, member):
    other = MemberFactory(id_number_consent=True)
    other.id_number = ID_NUMBERS[1]
    first_token, first_digest = other.id_number_encrypted, other.id_number_digest
    other.id_number_encrypted = ""
    other.id_number = ID_NUMBERS[1]
    assert other.id_number_encrypted != first_token  # random IV each time
    assert other.id_number_digest == first_digest
    assert len(first_digest) == 64 and ID_NUMBERS[1] not in first_digest


def test_the_database_refuses_a_duplicate_id_number(member):
    twin = MemberFactory.build(branch=member.branch, id_number_consent=True)
    twin.id_number = ID_NUMBERS[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_database_refuses_to_drop_consent_and_keep_the_number(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(id_number_consent=False)


@pytest.mark.django_db
def test_consent_constraint_holds_in_the_database(branch):
    person = MemberFactory.build(branch=branch, id_number_consent=False)
    person.id_number = ID_NUMBERS[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()


def test_set_id_number_needs_consent_and_a_valid_number(member, staff):
    other = MemberFactory(branch=member.branch)
    with pytest.raises(ValidationError) as no_consent:
        actions.set_id_number(member=other, id_number=ID_NUMBERS[1], consent=False, by=staff)
    assert "id_number" in no_consent.value.message_dict
    with pytest.raises(ValidationError):
        actions.set_id_number(member=other, id_number="11010519491231002", consent=True, by=staff)
    with pytest.raises(ValidationError) as duplicate:
        actions.set_id_number(member=other, id_number=ID_NUMBERS[0], consent=True, by=staff)
    assert duplicate.value.message_dict["id_number"] == ["已有其他党员使用此身份证号。"]
    other.refresh_from_db()
    assert other.id_number == "" and other.id_number_digest is None

    actions.set_id_number(member=other, id_number=ID_NUMBERS[1].lower(), consent=True, by=staff)
    other.refresh_from_db()
    assert other.id_number == ID_NUMBERS[1]


def test_withdrawing_consent_erases_the_number(member, staff):
    actions.set_id_number(member=member, id_number="", consent=False, by=staff)
    member.refresh_from_db()
    assert member.id_number_encrypted == "" and member.id_number_digest is None
    assert member.id_number_consent is False


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_of_one_number_leave_one_owner(postgres, staff, branch):
    first, second = MemberFactory(branch=branch), MemberFactory(branch=branch)
    race = run_together(
        *[
            lambda p=p: actions.set_id_number(
                member=p, id_number=ID_NUMBERS[2], consent=True, by=staff
            )
            for p in (first, second)
        ]
    )
    assert len(race.values) == 1 and race.refusals() == ["id_number_taken"]
    assert Member.objects.exclude(id_number_digest=None).count() == 1


def test_only_staff_who_manage_the_member_may_set_the_number(secretary, other_branch):
    from django.core.exceptions import PermissionDenied

    stranger = MemberFactory(branch=other_branch)
    with pytest.raises(PermissionDenied):
        actions.set_id_number(member=stranger, id_number=ID_NUMBERS[1], consent=True, by=secretary)
    stranger.refresh_from_db()
    assert stranger.id_number == ""
