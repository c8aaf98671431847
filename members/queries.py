"""Read queries the members app offers to the apps above it (home dashboard, ranking).

Nothing here writes. Each runs one query whatever the data size unless its docstring says
otherwise; names come back as stored, so the caller decides how to mask them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, cast

from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.db.models import Count, Field, Q, QuerySet

from members.models import Branch, Enterprise, Member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import TextChoices
    from django_stubs_ext import StrOrPromise

    from members.models import User


@dataclass(frozen=True)
class KindCount:
    """How many rows of one kind (branches here, organisations in rota.queries)."""

    kind: str
    label: StrOrPromise
    count: int


def kind_counts(choices: type[TextChoices], counts: dict[str, int]) -> list[KindCount]:
    """Every kind of `choices` in its order with its count (0 when absent); no query.

    Kinds come from the choices, so a breakdown always adds up to the total of `counts` as
    long as the stored values are valid choices (the model fields allow nothing else).
    """
    return [KindCount(kind.value, kind.label, counts.get(kind.value, 0)) for kind in choices]


# The models whose rows the home dashboard counts or shows: saving or deleting one moves its
# cached figures on (members.figures_version, registered by deqing_hub at start-up).
DASHBOARD_MODELS = (Enterprise, Branch, Member)


def enterprises_by_industry() -> list[KindCount]:
    """Enterprises on the roll per industry, every industry present (geographic information
    first); they add up to the enterprise total."""
    counts = dict(
        Enterprise.objects.filter(is_active=True)
        .values_list("industry")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return kind_counts(Enterprise.Industry, counts)


def industry_labels() -> dict[str, StrOrPromise]:
    """{industry value: its label}; no query."""
    return dict(Enterprise.Industry.choices)


def active_enterprises(industry: str | None = None) -> QuerySet[Enterprise]:
    """Enterprises on the roll (of one industry), by name: name, industry and date signed only.

    The credit code stays out: the public list has no use for it.
    """
    rows = Enterprise.objects.filter(is_active=True)
    if industry:
        rows = rows.filter(industry=industry)
    return rows.only("pk", "name", "industry", "signed_on").order_by("name", "pk")


def branches_by_kind() -> list[KindCount]:
    """Branches per kind, every kind present, in the kinds' order."""
    counts = dict(Branch.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    return kind_counts(Branch.Kind, counts)


def branch_kind_labels() -> dict[str, StrOrPromise]:
    """{branch kind value: its label}; no query."""
    return dict(Branch.Kind.choices)


def active_members_count() -> int:
    """Party members on the roll."""
    return Member.objects.active().count()


class BranchSize(NamedTuple):
    id: int
    name: str
    kind: str
    active_members: int


def branches_with_active_members(kind: str | None = None) -> list[BranchSize]:
    """Every branch (of one kind) with its number of members on the roll, in the branches'
    default order. Every member belongs to a branch, so the sizes add up to
    `active_members_count()`."""
    rows = Branch.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    sized = rows.annotate(
        active_members=Count("members", filter=Q(members__is_active=True))
    ).values_list("pk", "name", "kind", "active_members")
    return [BranchSize(*row) for row in sized]


def consenting_names(member_ids: list[int]) -> dict[int, str]:
    """{member id: name} of those members on the roll who agreed to be named in rankings.

    In SQL (`Member.objects.active().with_ranking_consent()`, as a test checks): every cold
    ranking page runs it, and building it with the ORM cost 0.48 ms of CPU against 0.06 ms
    (docs/performance.md, "The cold ranking's outer page")."""
    if not member_ids:
        return {}
    quote = connection.ops.quote_name
    column = {
        name: quote(str(cast("Field", Member._meta.get_field(name)).column))
        for name in ("id", "name", "is_active", "ranking_consent")
    }
    places = ", ".join(["%s"] * len(member_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column['id']}, {column['name']} FROM {quote(Member._meta.db_table)} "  # noqa: S608 - names from the model
            f"WHERE {column['is_active']} AND {column['ranking_consent']} "
            f"AND {column['id']} IN ({places})",
            [int(pk) for pk in member_ids],
        )
        return dict(cursor.fetchall())


def consenting_name(member_id: int) -> str | None:
    """The member's name if they are on the roll and agreed to be named in rankings, else None."""
    return (
        Member.objects.active()
        .with_ranking_consent()
        .filter(pk=member_id)
        .values_list("name", flat=True)
        .first()
    )


def member_on_roll(user: User | AnonymousUser) -> Member | None:
    """The active member record linked to this login, or None (no query for an anonymous user):
    whom a member's page or step acts for."""
    return Member.objects.active().for_user(user).first()


def branch_mates(member: Member) -> QuerySet[Member]:
    """The other active members of `member`'s branch, by name: whom a member may name on a
    team of their branch (a project claimed together)."""
    return Member.objects.active().filter(branch_id=member.branch_id).exclude(pk=member.pk)


class OwnMember(NamedTuple):
    id: int
    named: bool  # on the roll and agreed to be named in public rankings


def own_member(user: User | AnonymousUser) -> OwnMember | None:
    """The member record linked to this login, or None (no query for an anonymous user)."""
    row = Member.objects.for_user(user).values_list("pk", "is_active", "ranking_consent").first()
    if row is None:
        return None
    pk, active, consent = row
    return OwnMember(pk, active and consent)


def locked_logins_count() -> int:
    """Login names locked out by too many failed attempts (django-axes' lockout rule)."""
    locked = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    return int(locked.count())
