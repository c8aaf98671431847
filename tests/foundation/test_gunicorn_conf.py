"""gunicorn.conf.py: the application loaded and warmed in the master, frozen out of the garbage
collector before the workers fork, and no connection opened there (deqing_hub.warmup)."""

import gc
import runpy
from pathlib import Path

from django.db import connections
from django.template import engines

from deqing_hub import warmup
from members.templatetags import chrome

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_the_application_is_loaded_once_in_the_master_and_frozen(monkeypatch):
    loaded, frozen = [], []
    monkeypatch.setattr(warmup, "load", lambda: loaded.append(True))
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(loaded[:]))
    enabled = gc.isenabled()
    try:
        conf = runpy.run_path(str(CONF))
        assert conf["preload_app"] is True
        assert not gc.isenabled()  # off while the application is imported

        conf["when_ready"](server=None)

        assert frozen == [[True]]  # frozen after the warm-up
        assert gc.isenabled()
    finally:
        (gc.enable if enabled else gc.disable)()


def test_the_warm_up_opens_no_connection_and_draws_what_a_first_page_needs(
    transactional_db, settings
):
    settings.DEBUG = False
    connections.close_all()
    chrome._drawn.clear()
    queries = []

    with connections["default"].execute_wrapper(lambda *args: queries.append(args[1])):
        warmup.load()

    assert queries == []
    assert all(connection.connection is None for connection in connections.all())
    assert {key[0] for key in chrome._drawn} == {code for code, _name in settings.LANGUAGES}
    names = warmup._project_template_names()
    assert "base.html" in names
    assert "ranking/month.html" in names
    assert not any("site-packages" in name for name in names)
    assert engines["django"].get_template("base.html")
