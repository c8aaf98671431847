"""Forms of the rota pages: they parse input; rules that need other rows live in actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from rota.models import DutyWeek

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024


class GenerateRotaForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    skip_holiday_weeks = forms.BooleanField(
        label=_("Leave statutory-holiday weeks empty"), required=False, initial=True
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(
                    _("The end date is before the start date."), code="range"
                )
            if end - start > dt.timedelta(days=366 * 3):
                raise forms.ValidationError(
                    _("Generate at most three years at a time."), code="too_long"
                )
        return data


class SwapRequestForm(forms.Form):
    to_week = forms.ModelChoiceField(
        label=_("Swap with the week of"),
        queryset=DutyWeek.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the listed weeks.")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, week: DutyWeek, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_week"].queryset = (
            DutyWeek.objects.select_related("organisation")
            .filter(
                week_start__gt=today,
                status__in=[DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED],
            )
            .exclude(organisation=week.organisation_id)
        )
        self.fields["to_week"].label_from_instance = lambda w: (
            f"{w.week_start:%Y-%m-%d} {w.organisation.name}"
        )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(count)s photos.") % {"count": MAX_PHOTOS}, code="too_many"
            )
        cleaned = []
        for item in files:
            if item.size > MAX_PHOTO_BYTES:
                raise forms.ValidationError(_("Each photo must be smaller than 5 MB."), code="size")
            cleaned.append(super().clean(item, initial))
        return cleaned


class DutyReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Services and activities delivered"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    services_delivered = forms.IntegerField(
        label=_("Number of services"), min_value=0, max_value=1000, initial=0
    )
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, max_value=100000, initial=0
    )
    photos = MultipleImageField(label=_("Photos"), required=False)
