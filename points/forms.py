"""Forms of the points pages: they parse input; rules that need other rows live in actions."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from members.text import CleanCharFormField
from points.models import ExchangePoint, Item


class RedeemForm(forms.Form):
    """One item at one point; `key` is the page's one-time key (a retry gives the same voucher)."""

    item = forms.ModelChoiceField(
        queryset=Item.objects.filter(is_active=True),
        error_messages={
            "required": _("Choose an item."),
            "invalid_choice": _("This item is not offered at the moment."),
        },
    )
    point = forms.ModelChoiceField(
        queryset=ExchangePoint.objects.filter(is_active=True),
        error_messages={
            "required": _("Choose an exchange point."),
            "invalid_choice": _("This exchange point is closed."),
        },
    )
    key = CleanCharFormField(
        max_length=64,
        error_messages={"required": _("The form has expired; please try again.")},
    )


class ConfirmForm(forms.Form):
    """An operator types or scans a voucher code at one of their own points."""

    code = CleanCharFormField(
        label=_("Voucher code"),
        max_length=20,
        error_messages={"required": _("Enter the voucher code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    point = forms.ModelChoiceField(
        label=_("Exchange point"),
        queryset=ExchangePoint.objects.none(),
        error_messages={
            "required": _("Choose your exchange point."),
            "invalid_choice": _("You are not an operator of this exchange point."),
        },
    )

    def __init__(self, *args, points, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = points
