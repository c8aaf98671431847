"""Forms of the rota pages: they parse input; rules that need other rows live in actions."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from members.images import PhotoLimits, PhotosField
from members.text import CleanCharFormField, CleanTextareaFormField
from rota.models import DutyWeek

MAX_PHOTOS = 6
# Report photos are looked at one by one in the admin: no thumbnail, 2000 px at most.
REPORT_PHOTO_LIMITS = PhotoLimits(
    max_bytes=5 * 1024 * 1024, max_pixels=40_000_000, longest_side=2000, thumbnail_size=None
)


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


class WeekOfOrganisationField(forms.ModelChoiceField):
    """A duty week, shown by its Monday and the full name of the organisation on duty."""

    def label_from_instance(self, obj: DutyWeek) -> str:
        return f"{obj.week_start:%Y-%m-%d} {obj.organisation.name}"


class SwapRequestForm(forms.Form):
    to_week = WeekOfOrganisationField(
        label=_("Swap with the week of"),
        queryset=DutyWeek.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the listed weeks.")},
    )
    reason = CleanCharFormField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, week: DutyWeek, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        to_week = cast(forms.ModelChoiceField, self.fields["to_week"])
        to_week.queryset = (
            DutyWeek.objects.select_related("organisation")
            .filter(
                week_start__gt=today,
                status__in=[DutyWeek.Status.PLANNED, DutyWeek.Status.CONFIRMED],
            )
            .exclude(organisation=week.organisation_id)
        )


class DutyReportForm(forms.Form):
    summary = CleanTextareaFormField(
        rows=5,
        label=_("Services and activities delivered"),
        max_length=5000,
    )
    services_delivered = forms.IntegerField(
        label=_("Number of services"), min_value=0, max_value=1000, initial=0
    )
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, max_value=100000, initial=0
    )
    photos = PhotosField(
        label=_("Photos"),
        max_count=MAX_PHOTOS,
        limits=REPORT_PHOTO_LIMITS,
        help_text=_("Up to 6 JPEG, PNG or WebP photos, 5 MB each."),
    )
