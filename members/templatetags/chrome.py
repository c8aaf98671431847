"""{% load chrome %}: the page header as an anonymous visitor sees it, drawn once per process and
language instead of for every page.

Every public page that the page cache does not hold (the wish wall's random page at county
scale: nearly every request) drew the header for an anonymous visitor again: ten `{% url %}`
and a dozen translations, 1.5-2 ms of a 10-20 ms render, always the same markup. It depends
only on the language, the URL configuration and the script prefix (no data, no visitor); the
language switcher's two per-request values - the CSRF token and the path to come back to - are
drawn as marks and filled in for each request. A logged-in visitor's header (inbox count, staff
link, log-out form) is always drawn by the template.
"""

from __future__ import annotations

from typing import cast

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template import Template
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

HEADER = "includes/header.html"
_TOKEN_MARK = "\x00csrf\x00"  # noqa: S105 - a mark, not a secret
_PATH_MARK = "\x00path\x00"

_drawn: dict[tuple[object, ...], str] = {}


class _MarkedRequest:
    """What the header reads of the request, with the path as a mark."""

    @staticmethod
    def get_full_path() -> str:
        return _PATH_MARK


@register.simple_tag(takes_context=True)
def anonymous_header(context: template.Context) -> SafeString:
    """`includes/header.html` for an anonymous visitor, with this request's token and path."""
    request, token = context.get("request"), context.get("csrf_token")
    if request is None or not token or token == "NOTPROVIDED":  # noqa: S105
        # No request, or a view exempt from CSRF: drawn as `{% include %}` would draw it.
        template_being_drawn = cast("Template", context.template)
        included = template_being_drawn.engine.get_template(HEADER)
        return mark_safe(included.render(context))  # noqa: S308 - the template's own output
    header = draw_header()
    # The token as `{% csrf_token %}` reads it (which also marks the cookie to be set); the path
    # escaped as `{{ request.get_full_path }}` would be.
    return mark_safe(  # noqa: S308 - the template's own output, and the two values escaped
        header.replace(_TOKEN_MARK, conditional_escape(token)).replace(
            _PATH_MARK, conditional_escape(request.get_full_path())
        )
    )


def draw_header() -> str:
    """The anonymous header in the active language, with marks for the token and the path.

    Kept per language, script prefix and URL configuration; gunicorn's master draws it before
    it forks its workers (deqing_hub.warmup).
    """
    key = (get_language(), get_script_prefix(), get_urlconf())
    header = _drawn.get(key)
    if header is None:
        header = get_template(HEADER).render(
            {"request": _MarkedRequest(), "csrf_token": _TOKEN_MARK}
        )
        if not settings.DEBUG:  # in development a changed template shows at once
            _drawn[key] = header
    return header


def _forget(**kwargs) -> None:
    # Tests change languages, URL configurations and templates' settings.
    _drawn.clear()


setting_changed.connect(_forget, dispatch_uid="chrome_anonymous_header")
