"""The service list's categories, restored when missing."""

from __future__ import annotations

from django.db import transaction

from services.models import Category

# The service list's six categories (names are data, in Chinese). Migration 0003 seeds them;
# this restores any that are missing, e.g. in a database emptied by hand.
SERVICE_LIST_CATEGORIES = [
    ("party_building", "党建指导"),
    ("party_affairs", "党务办理"),
    ("education", "教育管理"),
    ("entrepreneurship", "创业服务"),
    ("talent", "人才联络"),
    ("volunteer", "志愿帮扶"),
]


@transaction.atomic
def ensure_categories() -> int:
    """Create the six service-list categories that are missing; return how many were created."""
    created = 0
    for position, (code, name) in enumerate(SERVICE_LIST_CATEGORIES, start=1):
        _category, made = Category.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        created += made
    return created
