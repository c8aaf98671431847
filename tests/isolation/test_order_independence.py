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
from tests.conftest import reset_language


def test_the_language_reset_between_tests_undoes_an_english_request(client):
    """What conftest's `_default_language` runs after each test, tried in one test.

    Two tests (one leaving English active, the next checking for Chinese) would depend on
    running in that order in one process; under pytest-xdist the second can run first, or
    in the other process, and pass whatever the reset does.
    """
    assert translation.get_language() == "zh-hans"  # the reset before this test
    client.get("/healthz/", HTTP_ACCEPT_LANGUAGE="en")
    # Django does not deactivate the request's language after the response.
    assert translation.get_language() == "en"
    reset_language()
    assert translation.get_language() == "zh-hans"
    assert translation.gettext("Save") == "保存"


@pytest.mark.django_db(transaction=True)
def test_a_flush_keeps_the_rows_the_data_migrations_seed():
    call_command("flush", interactive=False, verbosity=0)
    assert Category.objects.count() == 6
    assert ScoreFormula.objects.filter(effective_from="2016-10-01").exists()
