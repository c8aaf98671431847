"""The view side of a lifecycle step (`{% step_form %}` draws its button).

`run_step`: one POST, one action, what happened said in a message, back to the page the step
was on; `StepView` is that for one object's steps, a class per step. `confirm_step`: for a step
drawn with `{% step_form ... confirm=True %}`, whose button GETs the step's URL, the page that
says what will be spent or cancelled and POSTs the same fields back to the same URL. Nothing
changes on the GET, so a link preview or a back button spends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from members.images import PhotoFormMixin

if TYPE_CHECKING:
    from collections.abc import Callable

    from django import forms
    from django.db.models import Model
    from django_stubs_ext import StrOrPromise

    from members.http import AuthenticatedRequest


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


class StepView(LoginRequiredMixin, View):
    """One step on one object (accept, rate, report ...), POSTed by a logged-in user: `run_step`
    with the step's form, its action and its message, back to the object's page.

    A base per kind of object says which objects the user may act on (`get_object`, a 404
    otherwise), where the object's page is (`back`) and under which argument its actions take
    the object (`object_argument`). Each step names its `form_class` (None: a step without
    fields; `get_form` for one that needs the object), its `action` and what it says when
    `done`. The form's fields are the action's arguments, by name, with the user as `by`; a
    step whose action takes something else overrides `act`.
    """

    request: AuthenticatedRequest
    http_method_names = ["post"]
    form_class: type[forms.Form] | None = None
    action: Callable[..., object] | None = None
    object_argument = ""
    done: StrOrPromise = ""

    def get_object(self) -> Model:
        raise NotImplementedError

    def back(self, obj: Any) -> str:
        raise NotImplementedError

    def get_form(self, obj: Any) -> forms.Form | None:
        if self.form_class is None:
            return None
        return self.form_class(self.request.POST, self.request.FILES)

    def act(self, obj: Any, data: dict[str, Any]) -> object:
        # Read from the class: a function set on a class is a method of its instances.
        action = type(self).action
        if action is None:
            raise NotImplementedError
        return action(**{self.object_argument: obj}, by=self.request.user, **data)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        form = self.get_form(obj)
        return run_step(
            request, form, lambda data: self.act(obj, data), str(self.done), back=self.back(obj)
        )


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
