"""State one test leaves behind must not reach the next one, whichever process runs it.

Under pytest-xdist the tests before a given test change from run to run, so anything a test
leaves in its process (active language, rows a flush removed) makes results depend on order.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from deqing_hub.models import ScoreFormula
from services.models import Category


def test_an_english_request_leaves_its_language_active_in_the_process(client):
    client.get("/healthz/", HTTP_ACCEPT_LANGUAGE="en")
    # Django does not deactivate the request's language after the response.
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_the_portal_language():
    # Runs after the test above (same module, same process): conftest's _default_language.
    assert translation.get_language() == "zh-hans"


@pytest.mark.django_db(transaction=True)
def test_a_flush_keeps_the_rows_the_data_migrations_seed():
    call_command("flush", interactive=False, verbosity=0)
    assert Category.objects.count() == 6
    assert ScoreFormula.objects.filter(effective_from="2016-10-01").exists()
