"""Nothing escapes the matrix: every admin model has a spec, and a way to grow its changelist."""

from __future__ import annotations

from django.contrib import admin

from tests.roles.matrix import collect

ADMIN_SPECS, PAGE_SPECS = collect()


def test_every_admin_model_has_a_spec():
    """A model registered in the admin without a line in the matrix fails here."""
    registered = {model._meta.label_lower for model in admin.site._registry}
    specified = [spec.model for spec in ADMIN_SPECS]
    assert len(specified) == len(set(specified)), "one spec per model"
    assert registered - set(specified) == set(), "admin models without a matrix spec"
    assert set(specified) - registered == set(), "specs for models not in the admin"


def test_every_admin_model_says_how_to_grow():
    """No changelist escapes the query-count check (test_changelist_queries.py)."""
    assert [spec.model for spec in ADMIN_SPECS if spec.grow is None] == []


def test_public_page_names_are_unique():
    names = [spec.name for spec in PAGE_SPECS]
    assert len(names) == len(set(names))
