"""{% load steps %}: one lifecycle step as a form that posts to its action's URL.

Every page that moves a request, a wish, a claim or a sign-up on draws its buttons with
`{% step_form %}`, so each step looks and behaves the same: one POST with the CSRF token, the
step's form fields if it takes any (a reason, a rating), and one button; a headed step is a card.
A step that spends or cancels something asks first: with `confirm=True` its button opens the
step's confirmation page (the view's GET, `members.steps.confirm_step`), which does the POST.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from members.steps import button_class

register = template.Library()


@register.inclusion_tag("includes/step_form.html", takes_context=True)
def step_form(
    context: template.Context, url_name: str, *url_args: Any, **options: Any
) -> dict[str, Any]:
    """`url_name` and `url_args` name the step's view. Options: `button` (its label, required),
    `heading` (makes the step a card), `form` or one form `field` to fill in, `params` (a dict
    sent as hidden fields), `secondary` (drawn as a step back: withdraw, cancel, decline),
    `small` (a small button, in a list), `confirm` (ask on the step's confirmation page first)."""
    if "button" not in options:
        raise template.TemplateSyntaxError("step_form needs a button label")
    if options.get("confirm") and ("form" in options or "field" in options):
        # The confirmation page is a GET: typed fields would land in the address and the logs.
        raise template.TemplateSyntaxError("a step with confirm=True takes params, not fields")
    return {
        **options,
        "csrf_token": context.get("csrf_token"),
        "action": reverse(url_name, args=url_args),
        "button_class": button_class(options),
    }
