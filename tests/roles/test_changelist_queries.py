"""Admin changelists run the same number of queries with 2 or 12 more rows (no query per row).

Every admin model's spec (`tests/roles/matrix/`) says how to add rows and which roles to
measure as; roles, not superusers, so permission and scope look-ups are included.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.roles.matrix import collect

ADMIN_SPECS, _pages = collect()
CASES = [
    pytest.param(spec, viewer, id=f"{spec.model}-{viewer}")
    for spec in ADMIN_SPECS
    if spec.grow is not None
    for viewer in spec.grow_viewers
]


@pytest.mark.parametrize(("spec", "viewer"), CASES)
def test_changelist_query_count_does_not_grow_with_rows(client, world, spec, viewer):
    client.force_login(world["users"][viewer])
    # The first request after a login writes the session (the start of its 12 hours); the
    # later ones within a minute do not (deqing_hub/sessions.py): counted after it.
    client.get("/healthz/")
    url = reverse(f"admin:{spec.admin_name}_changelist")
    counts = []
    for extra in (2, 10):
        spec.grow(world, extra)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.context["cl"].result_count >= 12
    assert counts[0] == counts[1], f"{spec.model}: {counts} queries for more rows"
