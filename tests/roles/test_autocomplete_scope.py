"""Rows outside a role's scope do not leak through autocomplete results or list filters.

The role matrix opens rows by URL; these two lists are the other ways the admin names rows:
an autocomplete field of a form the role may open answers with the rows of the model it
points at, and a changelist's filter offers rows as choices. Given the matrix's world (an
"own" and an "other" row per scoped model), a scoped role sees its own rows there and never
the other scope's.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.filters import BooleanFieldListFilter, ChoicesFieldListFilter
from django.urls import reverse

from tests.roles.matrix import ROLES, AdminSpec, collect

ADMIN_SPECS, _pages = collect()
SPECS = {spec.model: spec for spec in ADMIN_SPECS}


def _scoped(spec: AdminSpec, role: str) -> bool:
    """The role sees the spec's own row and not the other one (it is scoped on this model)."""
    viewable = spec.allowed.get(role, {}).get("view", frozenset())
    return "own" in viewable and "other" not in viewable


def _opens_form(spec: AdminSpec | None, role: str) -> bool:
    allowed = spec.allowed.get(role, {}) if spec else {}
    return bool(allowed.get("add") or allowed.get("change"))


def _autocomplete_fields() -> list[tuple[str, type, str, str]]:
    """(admin model, source model, field name, target model) for every autocomplete field."""
    found = []
    for model, model_admin in admin.site._registry.items():
        sources = [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]
        for source in sources:
            for field_name in source.autocomplete_fields:
                target = source.model._meta.get_field(field_name).remote_field.model
                found.append(
                    (model._meta.label_lower, source.model, field_name, target._meta.label_lower)
                )
    return found


AUTOCOMPLETE_CASES = [
    pytest.param(
        admin_model, source, field_name, target, role, id=f"{role}-{admin_model}.{field_name}"
    )
    for admin_model, source, field_name, target in _autocomplete_fields()
    if target in SPECS
    for role in ROLES
    if _scoped(SPECS[target], role) and _opens_form(SPECS.get(admin_model), role)
]


def test_there_are_autocomplete_cases():
    # The cases are computed from the admin and the specs: an empty list would test nothing.
    # Today: a secretary's member form (branch) and a contact's activity form (organisation).
    assert len(AUTOCOMPLETE_CASES) >= 2


@pytest.mark.parametrize(
    ("admin_model", "source", "field_name", "target", "role"), AUTOCOMPLETE_CASES
)
def test_autocomplete_offers_own_rows_only(
    client, world, admin_model, source, field_name, target, role
):
    rows = SPECS[target].rows(world)
    client.force_login(world["users"][role])
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": source._meta.app_label,
            "model_name": source._meta.model_name,
            "field_name": field_name,
            "term": "",
        },
    )
    # The role may open a form with this field: the field must answer (403 = an empty widget).
    assert response.status_code == 200, response.status_code
    payload = response.json()
    assert not payload["pagination"]["more"], "the world is small: one page holds every row"
    offered = {result["id"] for result in payload["results"]}
    assert str(rows["other"].pk) not in offered
    assert str(rows["own"].pk) in offered


def _other_scope_names(world, role: str) -> dict[str, str]:
    """Text naming each row the role may not see, per model it is scoped on."""
    names = {}
    for spec in ADMIN_SPECS:
        if not _scoped(spec, role):
            continue
        rows = spec.rows(world)
        for key, row in rows.items():
            if key not in spec.allowed[role]["view"]:
                names[f"{spec.model}[{key}]"] = str(row)
    return names


SCOPED_ROLES = [role for role in ROLES if any(_scoped(spec, role) for spec in ADMIN_SPECS)]


def test_there_are_scoped_roles():
    assert {"branch_secretary", "alliance_contact", "operator"} <= set(SCOPED_ROLES)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_list_filters_offer_no_row_of_another_scope(client, world, role):
    """Every changelist the role opens: no filter choice names a row it may not see."""
    forbidden = _other_scope_names(world, role)
    assert forbidden
    client.force_login(world["users"][role])
    leaks, choices = [], 0
    for spec in ADMIN_SPECS:
        if not spec.allowed.get(role, {}).get("view"):
            continue
        response = client.get(reverse(f"admin:{spec.admin_name}_changelist"))
        assert response.status_code == 200, (spec.model, response.status_code)
        changelist = response.context["cl"]
        for list_filter in changelist.filter_specs:
            if isinstance(list_filter, ChoicesFieldListFilter | BooleanFieldListFilter):
                # Fixed labels of a field's choices name no row (the world's other branch is
                # called like the "centre" branch kind).
                continue
            for choice in list_filter.choices(changelist):
                text = str(choice["display"])
                choices += 1
                leaks += [
                    (spec.model, str(list_filter.title), text, row)
                    for row, name in forbidden.items()
                    if name and name in text
                ]
    assert choices, "no filter choice was looked at"
    assert leaks == []
