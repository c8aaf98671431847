"""Query sets of the projects app: the scoped look-ups views and the admin go through."""

from __future__ import annotations

from members.querysets import SecretaryScopedQuerySet

# Claimed and not yet completed (履诺 and 群众评议); completed, commended or not.
UNDER_WAY_STATUSES = ("claimed", "in_progress", "rating")
FINISHED_STATUSES = ("completed", "commended")


class ProjectQuerySet(SecretaryScopedQuerySet):
    """Projects by branch: centre staff see all in the admin, a secretary their branches'."""

    secretary_lookup = "branch__secretary"

    def under_way(self) -> ProjectQuerySet:
        """Claimed and not yet completed (履诺 and 群众评议)."""
        return self.filter(status__in=UNDER_WAY_STATUSES)

    def finished(self) -> ProjectQuerySet:
        """Completed, commended or not."""
        return self.filter(status__in=FINISHED_STATUSES)

    def for_member(self, member) -> ProjectQuerySet:
        """Projects `member` leads or works on."""
        return self.filter(team__member=member).distinct()


class TeamScopedQuerySet(SecretaryScopedQuerySet):
    """A project's rows (team, reports, comments, ratings) scoped by the project's branch."""

    secretary_lookup = "project__branch__secretary"


class MemberRowQuerySet(SecretaryScopedQuerySet):
    """A member's own rows (pioneer posts) scoped by the member's branch."""

    secretary_lookup = "member__branch__secretary"
