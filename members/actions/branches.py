"""Branches and their enterprises: which kinds of branch hold how many, one branch each."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Branch, Enterprise, User
from members.refusals import Refused


def check_branch_enterprises(
    *, kind: str, enterprises: Iterable[Enterprise], branch: Branch | None = None
) -> None:
    """Raise `Refused` unless the enterprises fit the branch kind and no other branch.

    A standalone branch has exactly one enterprise, a joint branch two or more, the service
    centre's branch none; an enterprise belongs to at most one branch.
    """
    enterprises = list(enterprises)
    count = len(enterprises)
    if kind == Branch.Kind.STANDALONE and count != 1:
        raise Refused(
            _("A standalone enterprise branch has exactly one enterprise (%(count)s given).")
            % {"count": count},
            code="standalone_one_enterprise",
        )
    if kind == Branch.Kind.JOINT and count < 2:
        raise Refused(
            _("A joint branch brings together at least two enterprises (%(count)s given).")
            % {"count": count},
            code="joint_several_enterprises",
        )
    if kind == Branch.Kind.CENTRE and count:
        raise Refused(
            _("The service-centre branch has no enterprises."), code="centre_no_enterprises"
        )
    taken = Branch.objects.filter(enterprises__in=enterprises)
    if branch is not None and branch.pk:
        taken = taken.exclude(pk=branch.pk)
    other = taken.first()
    if other is not None:
        raise Refused(
            _("An enterprise here already belongs to the branch “%(branch)s”.")
            % {"branch": other.name},
            code="enterprise_in_other_branch",
        )


@transaction.atomic
def set_branch_enterprises(
    *, branch: Branch, enterprises: Iterable[Enterprise], by: User
) -> Branch:
    """Replace a branch's enterprises after checking they fit its kind."""
    enterprises = list(enterprises)
    check_branch_enterprises(kind=branch.kind, enterprises=enterprises, branch=branch)
    branch.enterprises.set(enterprises)
    return branch
