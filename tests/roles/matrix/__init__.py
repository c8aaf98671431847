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

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
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
    # Overrides for the change form's data where `change_form_data` cannot build it as
    # rendered (an odd widget); returns {html field name: value}.
    change_data: Callable[[Model], Mapping] | None = None

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
    from tests.roles.matrix import (
        members,
        notices,
        points,
        projects,
        ranking,
        rota,
        services,
        third_party,
        wishes,
    )

    modules = (members, notices, rota, points, services, projects, wishes, ranking, third_party)
    admin_specs = [spec for module in modules for spec in module.ADMIN]
    page_specs = [spec for module in modules for spec in getattr(module, "PAGES", [])]
    return admin_specs, page_specs


def _widget_data(widget: forms.Widget, name: str, value) -> dict:
    """What a browser posts for `widget` showing `value` (a field's prepared value)."""
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):  # e.g. AdminSplitDateTime: name_0, name_1
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        data = {}
        for suffix, subwidget, subvalue in zip(
            widget.widgets_names, widget.widgets, values, strict=False
        ):
            data.update(_widget_data(subwidget, name + suffix, subvalue))
        return data
    if isinstance(widget, forms.FileInput):
        return {}  # no new file: the stored one stays
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if widget.check_test(value) else {}
    if isinstance(widget, forms.widgets.ChoiceWidget):
        values = widget.format_value(value)
        if widget.allow_multiple_selected:
            return {name: values}
        return {name: values[0] if values else ""}
    formatted = widget.format_value(value)
    return {name: "" if formatted is None else formatted}


def _form_data(form: forms.BaseForm) -> dict:
    data = {}
    for bound_field in form:
        if bound_field.field.disabled:
            continue  # a disabled field's posted value is ignored anyway
        data.update(
            _widget_data(bound_field.field.widget, bound_field.html_name, bound_field.value())
        )
        if bound_field.field.show_hidden_initial:
            data.update(
                _widget_data(
                    bound_field.field.hidden_widget(),
                    bound_field.html_initial_name,
                    bound_field.value(),
                )
            )
    return data


def change_form_data(response) -> dict:
    """The admin change form of `response` posted back as rendered, with its inlines.

    Built from the forms in the response's context, not from a spec: every field keeps the
    value it was shown with (files are left empty, so stored files stay), and every inline
    formset is posted with its management form, so a save changes nothing but proves the
    role may save.
    """
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    data["_save"] = "Save"
    return data


def form_errors(response) -> dict:
    """The errors a re-rendered admin change form shows (main form and inlines)."""
    errors = {}
    context = response.context
    if context is None or "adminform" not in context:
        return {"page": response.content[:500]}
    form = context["adminform"].form
    if form.errors:
        errors["form"] = form.errors.get_json_data()
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        if formset.non_form_errors() or any(formset.errors):
            errors[formset.prefix] = {
                "non_form": list(formset.non_form_errors()),
                "forms": [e.get_json_data() for e in formset.errors if e],
            }
    return errors or {"page": "no form errors shown, but the save did not redirect"}


def same_for(roles: tuple[str, ...], actions: Mapping[str, frozenset[str]]) -> dict:
    """The same allowed actions for several roles."""
    return {role: dict(actions) for role in roles}
