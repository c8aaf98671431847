"""Permission-scoped lookups: views and the admin never fetch a member outside these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def sees_every_branch(user: User) -> bool:
    """Centre staff with the explicit permission (or superusers) see all branches."""
    return bool(user.is_active and user.has_perm("members.view_all_branches"))


class SecretaryScopedQuerySet(models.QuerySet):
    """Rows scoped by branch: all of them for centre staff, a secretary's own otherwise."""

    # The lookup from a row to the user who is secretary of its branch.
    secretary_lookup: str

    def for_secretary(self, user: User) -> Self:
        """Rows of the branches this user is secretary of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(**{self.secretary_lookup: user})

    def visible_to(self, user: User) -> Self:
        """Every row for centre staff; a branch secretary's own rows otherwise."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_branch(user):
            return self.all()
        return self.for_secretary(user)


class BranchQuerySet(SecretaryScopedQuerySet):
    secretary_lookup = "secretary"


class MemberQuerySet(SecretaryScopedQuerySet):
    secretary_lookup = "branch__secretary"

    def active(self) -> MemberQuerySet:
        return self.filter(is_active=True)

    def for_user(self, user: User | AnonymousUser) -> MemberQuerySet:
        """The member record linked to this login (zero or one row)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def with_ranking_consent(self) -> MemberQuerySet:
        """Members who agreed to appear by name in public rankings."""
        return self.filter(ranking_consent=True)
