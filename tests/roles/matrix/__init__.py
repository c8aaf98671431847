"""The role matrix, declared per app: which role may do what to which row.

Each app's module (`members.py`, `rota.py`, ...) lists an `AdminSpec` for every model it
registers in the admin and a `PageSpec` for every public page that shows one row. A spec
names the rows (`rows(world)` returns `{"own": ..., "other": ...}` for a scoped model, where
"own" is inside the role holders' scope and "other" outside, or `{"any": ...}` for a model
without scope) and what each role may do to them. `test_role_matrix.py` walks every spec for
every role; `test_matrix_coverage.py` fails when a model is registered without one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Model

# Staff roles (admin) and the two public personas (pages only).
ROLES = ("centre_staff", "branch_secretary", "alliance_contact", "operator", "auditor", "no_role")
PUBLIC_ROLES = (*ROLES, "member", "anonymous")
ACTIONS = ("view", "change", "delete", "export")

ALL = frozenset({"own", "other", "any"})
OWN = frozenset({"own"})
NONE: frozenset[str] = frozenset()

Rows = Mapping[str, Model]
# role -> action -> row keys ("own", "other", "any") the action is allowed on; "add" (the
# add page) takes the value ALL when allowed. Roles and actions left out are refused.
Allowed = Mapping[str, Mapping[str, frozenset[str]]]


@dataclass(frozen=True)
class AdminSpec:
    """One admin model: its rows, what each role may do, and how to recognise a row."""

    model: str  # app_label.modelname, as in the admin's registry
    rows: Callable[[dict], Rows]
    allowed: Allowed
    # Text that identifies the row in an exported file; None if the model has no export.
    marker: Callable[[Model], str] | None = None
    # Adds n more rows visible to each of `grow_viewers`, for the changelist query-count test.
    grow: Callable[[dict, int], None] | None = None
    grow_viewers: tuple[str, ...] = ("centre_staff",)

    @property
    def admin_name(self) -> str:
        return self.model.replace(".", "_")


@dataclass(frozen=True)
class PageSpec:
    """One public page about one row; `allowed` is role -> row keys it may open.

    `attempt(client, row)` defaults to a GET of `url(row)`: 200 is allowed, 403/404 or a
    redirect to the login page is refused. A spec for a POST (a change made on the page)
    gives its own `attempt` returning True when the change happened.
    """

    name: str
    rows: Callable[[dict], Rows]
    url: Callable[[Model], str]
    allowed: Mapping[str, frozenset[str]]
    attempt: Callable | None = field(default=None)


def collect() -> tuple[list[AdminSpec], list[PageSpec]]:
    from tests.roles.matrix import members, points, ranking, rota, services, third_party, wishes

    modules = (members, rota, points, services, wishes, ranking, third_party)
    admin_specs = [spec for module in modules for spec in module.ADMIN]
    page_specs = [spec for module in modules for spec in getattr(module, "PAGES", [])]
    return admin_specs, page_specs


def same_for(roles: tuple[str, ...], actions: Mapping[str, frozenset[str]]) -> dict:
    """The same allowed actions for several roles."""
    return {role: dict(actions) for role in roles}
