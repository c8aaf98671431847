"""Forms of the projects app: they parse input; the actions check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.forms import StarsField
from members.images import PhotoFormMixin, PhotoLimits, PhotosField
from members.text import CleanTextareaFormField
from services.projects.actions import MAX_TEAM

REPORT_MAX_PHOTOS = 4
# Progress photos are shown on the public page one under another; 1600 px is plenty on a phone.
REPORT_PHOTO_LIMITS = PhotoLimits(
    max_bytes=5 * 1024 * 1024, max_pixels=40_000_000, longest_side=1600, thumbnail_size=None
)


class ClaimForm(forms.Form):
    pledge = CleanTextareaFormField(
        label=_("My pledge"),
        max_length=2000,
        help_text=_("What you promise to deliver, and by when. It is shown in public."),
        required_message=_("Write the pledge you make."),
    )
    # The choices are the claimer's branch mates, set by __init__ (none: a claim alone).
    team: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Team (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose team members from your own branch.")},
    )

    def __init__(self, *args, teammates, **kwargs):
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = teammates
        team.help_text = gettext(
            "Members of your branch who deliver it with you, at most %(count)s."
        ) % {"count": MAX_TEAM - 1}
        if not teammates.exists():
            del self.fields["team"]


class ReportForm(PhotoFormMixin, forms.Form):
    text = CleanTextareaFormField(
        label=_("What was done"),
        max_length=2000,
        required_message=_("Say what was done."),
    )
    photos = PhotosField(
        label=_("Photos"),
        max_count=REPORT_MAX_PHOTOS,
        limits=REPORT_PHOTO_LIMITS,
        help_text=_("Up to 4 JPEG, PNG or WebP photos, 5 MB each."),
    )


class RateForm(forms.Form):
    score = StarsField(label=_("Stars"), error=_("Choose from 1 to 5 stars."))
    reason = CleanTextareaFormField(
        label=_("Reason"),
        max_length=500,
        required_message=_("Give a reason for your rating."),
    )
