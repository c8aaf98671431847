"""Forms of the wish wall: they parse and check input; the rules live in `wishes.actions`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.images import PhotoFormMixin, PhotoLimits, PhotosField
from members.text import CleanCharFormField
from services.models import Category
from wishes import antispam
from wishes.models import MAX_PHOTOS, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, Wish
from wishes.queries import GRANTED_WALL_FILTER


def wish_photo_limits() -> PhotoLimits:
    """The wall's limits, read from settings at each check (tests and deployments change them)."""
    return PhotoLimits(
        max_bytes=settings.WISHES_PHOTO_MAX_BYTES, max_pixels=settings.WISHES_PHOTO_MAX_PIXELS
    )


def wish_photos_field(**kwargs) -> PhotosField:
    """Up to three photos, each checked and re-encoded by `members.images`."""
    return PhotosField(max_count=MAX_PHOTOS, limits=wish_photo_limits, **kwargs)


class WishWordsForm(forms.Form):
    """What a wish says: asked when it is posted, and again when staff ask for changes."""

    title = CleanCharFormField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Please give your wish a short title."),
            "max_length": _("The title may have at most %(limit_value)d characters."),
        },
    )
    text = CleanCharFormField(
        label=_("Your wish"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX_LENGTH}),
        help_text=_("At most 500 characters."),
        error_messages={
            "required": _("Please describe your wish."),
            "max_length": _(
                "Please shorten your wish to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        empty_label=_("Choose a category"),
        error_messages={
            "required": _("Please choose a category."),
            "invalid_choice": _("Please choose one of the listed categories."),
        },
    )
    show_name = forms.BooleanField(
        label=_("Show my name on the wall"),
        required=False,
        help_text=_("Otherwise only your family name is shown, as 王*."),
    )


class WishForm(PhotoFormMixin, WishWordsForm):
    """A new wish: its words, photos, the consent notice and the robot checks."""

    field_order = ["title", "text", "category", "photos", "show_name", "consent"]

    photos = wish_photos_field(
        label=_("Photos (optional)"),
        help_text=_("Up to 3 JPEG, PNG or WebP photos, 5 MB each."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that, after the centre has checked it, my wish and its photos are shown "
            "publicly on the wish wall and passed to the alliance organisations that may grant it."
        ),
        error_messages={"required": _("Please agree to the notice before posting.")},
    )
    # Honeypot: hidden from people by CSS; robots fill every field they find. Its own field
    # template (Django 5.0's Field(template_name=...), not yet in django-stubs) draws it off
    # screen.
    website = CleanCharFormField(  # type: ignore[call-arg]
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        template_name="wishes/includes/honeypot_field.html",
    )
    started = CleanCharFormField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # Said at the top of the form: the field itself is invisible to people.
            raise ValidationError(
                _("This form looks automatically filled in, so it was not sent."),
                code="honeypot",
            )
        return cleaned

    def clean_started(self) -> str:
        token = self.cleaned_data.get("started", "")
        elapsed = antispam.seconds_since(token)
        if elapsed is None:
            raise ValidationError(
                _("The form has expired; please check your entries and send it again."),
                code="form_expired",
            )
        if elapsed < settings.WISHES_MIN_FILL_SECONDS:
            raise ValidationError(
                _("That was very fast; please check your wish and send it again."),
                code="too_fast",
            )
        return token


class WishRevisionForm(WishWordsForm):
    """The wisher's own words again, changed as staff asked; photos stay as they were sent
    (a photo staff object to is removed by staff, and the wisher is told so in the note)."""


class ClaimForm(forms.Form):
    # The choices are the caller's organisations, set by __init__.
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        error_messages={"invalid_choice": _("You cannot claim for that organisation.")},
    )
    promised_on = forms.DateField(
        label=_("We promise to grant it by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Please give the promised date.")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def clean_promised_on(self):
        value = self.cleaned_data["promised_on"]
        if value < timezone.localdate():
            raise ValidationError(_("The promised date cannot be in the past."), code="past_date")
        return value


class ReasonForm(forms.Form):
    reason = CleanCharFormField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text=_("Shown on the wish's public timeline."),
        error_messages={"required": _("Please give a reason.")},
    )


class ProgressForm(PhotoFormMixin, forms.Form):
    """A claimer's public update, or its fulfilment report (with `final`)."""

    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None
    )
    text = CleanCharFormField(
        label=_("What happened"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={"required": _("Please write what has happened.")},
    )
    photos = wish_photos_field(label=_("Photos (optional)"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class WallFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), (GRANTED_WALL_FILTER, _("Granted (fulfilled or confirmed)"))]
        + [(s.value, s.label) for s in Wish.Status if s in Wish.PUBLIC_STATUSES],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
