"""Fixtures of the audit tests."""

from __future__ import annotations

import pytest

from tests.conftest import make_user


@pytest.fixture
def make_staff(db):
    """A staff account (admin access) with no role."""
    counter = iter(range(10, 99))

    def factory(email: str):
        return make_user(email=email, phone=f"139000000{next(counter)}", staff=True)

    return factory


from tests.members.conftest import (  # noqa: E402,F401  (members' fixtures, reused)
    _fast_password_hashing,
    branch,
    clerk,
    enterprise,
    member,
    other_branch,
    secretary,
)
