"""Rotating FIELD_ENCRYPTION_KEY: new key first, re-encrypt, then the old key can go."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command

from members import actions
from members.models import Member
from tests.factories import MemberFactory
from tests.members.conftest import ID_NUMBERS


def test_rotation_keeps_numbers_readable_and_unique(settings, member, staff):
    old_key = settings.FIELD_ENCRYPTION_KEY
    new_key = Fernet.generate_key().decode()
    old_token = member.id_number_encrypted

    settings.FIELD_ENCRYPTION_KEY = f"{new_key},{old_key}"
    assert Member.objects.get(pk=member.pk).id_number == ID_NUMBERS[0]  # old tokens still read
    out = io.StringIO()
    call_command("reencrypt_personal_data", stdout=out)
    assert "Re-encrypted 1 ID numbers" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEY = new_key
    rotated = Member.objects.get(pk=member.pk)
    assert rotated.id_number_encrypted != old_token
    assert rotated.id_number == ID_NUMBERS[0]
    other = MemberFactory(branch=member.branch)
    with pytest.raises(ValidationError):
        actions.set_id_number(member=other, id_number=ID_NUMBERS[0], consent=True, by=staff)


def test_a_malformed_key_stops_with_a_sentence(settings, member):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured):
        Member.objects.get(pk=member.pk).id_number  # noqa: B018
