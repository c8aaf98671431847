"""Permission-scoped lookups: views and the admin never fetch a member outside these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User


def sees_every_branch(user: User) -> bool:
    """Centre staff with the explicit permission (or superusers) see all branches."""
    return bool(user.is_active and user.has_perm("members.view_all_branches"))


class BranchQuerySet(models.QuerySet):
    def for_secretary(self, user: User) -> BranchQuerySet:
        """Branches this user is secretary of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(secretary=user)

    def visible_to(self, user: User) -> BranchQuerySet:
        """Every branch for centre staff; a secretary's own branches otherwise."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_branch(user):
            return self.all()
        return self.for_secretary(user)


class MemberQuerySet(models.QuerySet):
    def active(self) -> MemberQuerySet:
        return self.filter(is_active=True)

    def for_user(self, user: User | AnonymousUser) -> MemberQuerySet:
        """The member record linked to this login (zero or one row)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def for_secretary(self, user: User) -> MemberQuerySet:
        """Members of the branches this user is secretary of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(branch__secretary=user)

    def visible_to(self, user: User) -> MemberQuerySet:
        """Every member for centre staff; a branch secretary's own members otherwise."""
        if not user.is_authenticated:
            return self.none()
        if sees_every_branch(user):
            return self.all()
        return self.for_secretary(user)

    def with_ranking_consent(self) -> MemberQuerySet:
        """Members who agreed to appear by name in public rankings."""
        return self.filter(ranking_consent=True)
