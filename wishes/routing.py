"""Routing a wish to whoever can grant it: organisations whose services match its category."""

from __future__ import annotations

from django.db.models import QuerySet

from rota.models import Organisation
from services.models import Category
from services.queries import providers_for_category


def suggested_organisations(category: Category) -> QuerySet[Organisation]:
    """Active organisations offering services in the wish's category, by name."""
    return providers_for_category(category)


def other_organisations(category: Category) -> QuerySet[Organisation]:
    """Every other active organisation (staff may invite anyone; the match is a suggestion)."""
    return (
        Organisation.objects.filter(is_active=True)
        .exclude(pk__in=suggested_organisations(category).values("pk"))
        .order_by("name")
    )
