"""The confirmation page of a lifecycle step drawn with `{% step_form ... confirm=True %}`.

Such a step's button GETs the step's URL; the view answers the GET with `confirm_step(...)`,
a page that says what will be spent or cancelled and POSTs the same fields back to the same
URL. Nothing changes on the GET, so a link preview or a back button spends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirm_step(
    request: HttpRequest,
    *,
    question: str,
    details: Sequence[tuple[str, Any]],
    button: str,
    back: str,
    params: Mapping[str, Any] | None = None,
    secondary: bool = False,
) -> HttpResponse:
    """Ask `question` over `details` ([(label, value)]); `button` POSTs `params` to this URL,
    `back` (a URL) leaves without doing anything. `secondary` draws a cancelling step."""
    return render(
        request,
        "step_confirm.html",
        {
            "question": question,
            "details": details,
            "button": button,
            "back": back,
            "params": params or {},
            "button_class": button_class({"secondary": secondary}),
            "action": request.path,
        },
    )


def button_class(options: Mapping[str, Any]) -> str:
    """A step button's CSS classes from its `secondary` and `small` options."""
    names = {"secondary": "button-secondary", "small": "button-small"}
    return " ".join(css for option, css in names.items() if options.get(option))
