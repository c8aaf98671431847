"""The view side of a lifecycle step (`{% step_form %}` draws its button).

`run_step`: one POST, one action, what happened said in a message, back to the page the step
was on. `confirm_step`: for a step drawn with `{% step_form ... confirm=True %}`, whose button
GETs the step's URL, the page that says what will be spent or cancelled and POSTs the same
fields back to the same URL. Nothing changes on the GET, so a link preview or a back button
spends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.images import PhotoFormMixin

if TYPE_CHECKING:
    from collections.abc import Callable

    from django import forms


def run_step(
    request: HttpRequest,
    form: forms.Form | None,
    step: Callable[[dict[str, Any]], object],
    done: str,
    *,
    back: str,
) -> HttpResponse:
    """Check `form` (None: a step without fields), then run `step(cleaned_data)`.

    A refused form or a refused step (`ValidationError`, as `Refused` is) is explained in
    messages, a step done says `done`; either way back to the URL `back`. After a refused form
    with photos the message names them to choose again: a browser keeps no chosen file across
    the redirect.
    """
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        names = form.chosen_photo_names() if isinstance(form, PhotoFormMixin) else []
        if names:
            messages.warning(
                request,
                _("Nothing was saved; please choose these photos again: %(names)s")
                % {"names": "、".join(names)},
            )
        return redirect(back)
    try:
        step(form.cleaned_data if form is not None else {})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(back)


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
