"""Who speaks for an organisation: its duty and backup contacts, one rule in every app."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from rota.models import Organisation
from tests.rota.conftest import make_contact, make_org

pytestmark = pytest.mark.django_db


def test_the_duty_and_the_backup_contact_speak_for_it_and_nobody_else():
    org = make_org()
    stranger = make_contact("stranger")

    assert org.has_contact(org.duty_contact)
    assert org.has_contact(org.backup_contact)
    assert not org.has_contact(stranger)
    assert not org.has_contact(None)
    # The row-by-row rule and the QuerySet agree.
    assert list(Organisation.objects.for_contact(org.backup_contact)) == [org]
    assert not Organisation.objects.for_contact(stranger).exists()


def test_an_anonymous_visitor_is_no_contact_even_of_an_organisation_without_contacts():
    """An anonymous user has no id, nor has a missing contact: that must not count as a match."""
    org = make_org(contacts=False)

    assert not org.has_contact(AnonymousUser())
    assert not Organisation.objects.for_contact(AnonymousUser()).exists()
