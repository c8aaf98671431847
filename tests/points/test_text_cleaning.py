"""Bidi control characters in the points' texts are never stored or shown (members/text.py).

Given staff typing an adjustment reason with U+202E (which shows it reversed), when it goes
through the admin's adjustment page, then the ledger entry and the member's history are clean;
a reason of nothing but controls is refused like an empty one.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.text import BIDI_CONTROLS
from points.models import Account, Entry

pytestmark = pytest.mark.django_db
RLO, PDF, LRM = "\u202e", "\u202c", "\u200e"


def test_an_adjustment_reason_is_stored_and_shown_clean(client, staff, member, member_user):
    client.force_login(staff)
    url = reverse("admin:points_account_adjust", args=[Account.objects.get(member=member).pk])

    empty = client.post(url, {"amount": "-30", "reason": f"{RLO}{LRM}", "key": "a0"})
    assert "调整积分必须填写原因。" in empty.content.decode()
    assert not Entry.objects.filter(kind=Entry.Kind.ADJUST).exists()

    response = client.post(url, {"amount": "-30", "reason": f"重复{RLO}记登{PDF}", "key": "a1"})
    assert response.status_code == 302
    assert Entry.objects.get(kind=Entry.Kind.ADJUST).reason == "重复记登"
    # The member reads the entry in their points history
    client.force_login(member_user)
    page = client.get(reverse("points:home")).content.decode()
    assert "重复记登" in page and not BIDI_CONTROLS.intersection(page)
