"""The wish notice kinds come in their declared order, the same in every process.

They were built from sets, whose order follows string hashing: the notification settings page
listed them in a different order from one process (and one worker) to the next.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from members.notices import kinds
from tests.conftest import make_user

# As wishes/notifications.py declares them: the wisher's steps, the claimers', the invitation,
# then the staff digest and the overdue claim.
DECLARED = [
    "wishes.verified",
    "wishes.rejected",
    "wishes.changes_asked",
    "wishes.claimed",
    "wishes.released",
    "wishes.update",
    "wishes.fulfilled",
    "wishes.reopened",
    "wishes.confirmed",
    "wishes.invited",
    "wishes.staff_digest",
    "wishes.claim_overdue",
]


def wish_kinds(registered) -> list[str]:
    return [spec.key for spec in registered if spec.key.startswith("wishes.")]


def test_the_registry_holds_the_wish_kinds_in_their_declared_order():
    assert wish_kinds(kinds.KINDS.values()) == DECLARED
    staff_only = {key for key in DECLARED if kinds.get(key).staff_only}
    assert wish_kinds(kinds.personal(staff=False)) == [k for k in DECLARED if k not in staff_only]


@pytest.mark.django_db
def test_the_settings_page_lists_the_wish_kinds_in_their_declared_order(client):
    client.force_login(make_user(email="reader@example.cn"))
    html = client.get(reverse("notices:settings")).content.decode()
    shown = list(dict.fromkeys(re.findall(r'name="(wishes\.[a-z_]+):', html)))
    assert shown == wish_kinds(kinds.personal(staff=False))


def test_the_order_does_not_depend_on_string_hashing():
    # Two interpreters with different hash seeds: sets of strings would come out in two orders.
    script = (
        "import django; django.setup(); from members.notices import kinds; "
        "print('ORDER', *(k for k in kinds.KINDS if k.startswith('wishes.')))"
    )
    orders = set()
    for seed in ("1", "2", "3"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "DJANGO_SETTINGS_MODULE": "deqing_hub.settings",
            "DJANGO_TESTING": "true",
        }
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        (line,) = [line for line in result.stdout.splitlines() if line.startswith("ORDER ")]
        orders.add(line.removeprefix("ORDER "))
    assert orders == {" ".join(DECLARED)}
