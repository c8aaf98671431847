"""The benchmark's reference view exists only when the bench setting is on."""

import importlib

import pytest
from django.urls import clear_url_caches

import deqing_hub.urls


@pytest.fixture
def urls_with_bench(settings):
    """The URLconf built again with DJANGO_BENCH on (it is read when the module loads)."""
    settings.BENCH = True
    importlib.reload(deqing_hub.urls)
    clear_url_caches()
    yield
    settings.BENCH = False
    importlib.reload(deqing_hub.urls)
    clear_url_caches()


def test_without_the_bench_setting_the_reference_view_is_not_there(client, settings):
    assert settings.BENCH is False
    assert client.get("/_bench/bare/").status_code == 404


def test_with_the_bench_setting_it_answers_plainly_through_the_middleware(urls_with_bench, client):
    response = client.get("/_bench/bare/")

    assert response.status_code == 200
    assert response.content == b"ok"
    # The real middleware ran: security headers and the language are there.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Language"] == "zh-hans"
    assert client.post("/_bench/bare/").status_code in (403, 405)
