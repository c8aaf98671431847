"""What every gunicorn worker would otherwise load on its first request, loaded once in the
master before it forks (gunicorn.conf.py): the URL configuration with its reverse tables, the
translation catalogues, the project's templates compiled and the anonymous header drawn.

At county scale a worker's first page took 500-700 ms, most of it importing the URL
configuration (every view module), building the reverse tables per language and compiling
templates; each of the four workers paid it in the first second after a start or a restart,
which was the benchmark's worst p99. Loaded in the master, the workers share these objects
copy-on-write and start warm.

Nothing here reads the database or the cache: a connection opened before the fork would be
shared by every worker. `load()` checks that and closes any it finds.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def load() -> None:
    """Load what a worker's first requests would, without touching the database or cache."""
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")  # loads the language's catalogues
            resolver.reverse_dict  # noqa: B018 - built per language on first reading
    _compile_templates()
    _draw_headers()
    # Belt and braces: none of the above queries, but a connection made here would be shared
    # by every forked worker.
    connections.close_all()


def _project_template_names() -> list[str]:
    """The names of the project's own templates (the apps' and templates/), not the libraries'."""
    root = Path(settings.BASE_DIR).resolve()
    names: set[str] = set()
    for engine in engines.all():
        for directory in engine.template_dirs:
            base = Path(directory).resolve()
            if not base.is_relative_to(root) or ".venv" in base.parts:
                continue
            names.update(
                path.relative_to(base).as_posix()
                for path in base.rglob("*")
                if path.suffix in {".html", ".txt"} and path.is_file()
            )
    return sorted(names)


def _compile_templates() -> None:
    engine = engines["django"]
    for name in _project_template_names():
        try:
            engine.get_template(name)
        except TemplateSyntaxError:
            # Not this module's business: the page that uses it fails as it did before.
            logger.warning("warm-up: template %s does not compile", name)


def _draw_headers() -> None:
    from members.templatetags import chrome

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            chrome.draw_header()
