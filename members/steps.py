"""The view side of a lifecycle step (`{% step_form %}` draws its button): one POST, one
action, what happened said in a message, back to the page the step was on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from members.images import PhotoFormMixin

if TYPE_CHECKING:
    from collections.abc import Callable

    from django import forms
    from django.http import HttpRequest, HttpResponse


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
