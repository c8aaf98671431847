"""Read-only looks at notices for other apps' pages (the staff workspace)."""

from __future__ import annotations

from members.notices.models import Delivery


def failed_deliveries_count() -> int:
    """Deliveries that failed for good and wait for staff (shown in the workspace)."""
    return Delivery.objects.failed().count()
