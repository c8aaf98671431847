"""wishes: wishes, claims, their history, invitations, photos, staff digests."""

from __future__ import annotations

from tests.roles.matrix import ALL, OWN, AdminSpec

ADMIN = [
    AdminSpec(
        model="wishes.claim",
        rows=lambda world: world["claim"],
        # Claims change only through the wish page (the actions keep the wish's state right).
        allowed={
            "centre_staff": {"view": ALL, "delete": ALL},
            "alliance_contact": {"view": OWN},
        },
    ),
]
