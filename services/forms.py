"""Forms of the services app: they parse input; the actions check the rules."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import QuickSelect, StarsField
from members.images import PhotoFormMixin, PhotoLimits, PhotosField
from members.text import CleanCharFormField, CleanTextareaFormField
from rota.models import Organisation
from services.models import Category, Service
from services.querysets import sees_every_organisation

RECORD_MAX_PHOTOS = 6
# People served by one delivery, as the duty report counts participants (rota.forms): a number
# past the database column's limit was a 500.
PEOPLE_SERVED_LIMIT = 100_000
# Record photos are evidence looked at one by one in the admin: RecordPhoto keeps no
# thumbnail, and 2000 px on the longest side is enough to read a banner in the picture.
RECORD_PHOTO_LIMITS = PhotoLimits(
    max_bytes=5 * 1024 * 1024, max_pixels=40_000_000, longest_side=2000, thumbnail_size=None
)


class ServiceFilterForm(forms.Form):
    """The catalogue's filters; unknown values are ignored rather than refused."""

    q = CleanCharFormField(label=_("Search"), required=False, max_length=50)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
    )
    # Only organisations that provide a listed service: choosing any other one would always
    # show an empty list. A native drop-down (the phone's own picker, which WeChat's browser
    # draws well too) of (id, name) pairs drawn by QuickSelect: a county has hundreds of
    # organisations, and model instances and Django's per-option templates for each were
    # most of this page's time.
    provider = forms.TypedChoiceField(
        label=_("Provided by"), coerce=int, required=False, widget=QuickSelect
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        providers = Organisation.objects.filter(
            Exists(
                Service.providers.through.objects.filter(
                    organisation=OuterRef("pk"), service__is_active=True
                )
            ),
            is_active=True,
        ).order_by("name")
        provider = cast(forms.TypedChoiceField, self.fields["provider"])
        # Labelled as Organisation.__str__ does (the short name if there is one).
        provider.choices = [
            ("", _("All organisations")),
            *(
                (pk, short_name or name)
                for pk, short_name, name in providers.values_list("pk", "short_name", "name")
            ),
        ]


class RequestForm(forms.Form):
    details = CleanTextareaFormField(
        rows=4,
        label=_("What do you need?"),
        max_length=1000,
        required_message=_("Please say what you need."),
    )


class DispatchForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Dispatch to"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("Choose an organisation."),
            "invalid_choice": _("Choose one of the organisations that provide this service."),
        },
    )

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active organisation is accepted here; the action refuses non-providers with a
        # reason, so staff learn why rather than seeing a bare "invalid choice".
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = Organisation.objects.filter(is_active=True)
        self.provider_choices = service.providers.filter(is_active=True).order_by("name")


class DeclineForm(forms.Form):
    reason = CleanTextareaFormField(
        label=_("Reason for declining"),
        max_length=500,
        required_message=_("Please give a reason for declining."),
    )


class CompleteForm(forms.Form):
    people_served = forms.IntegerField(
        label=_("People served"), min_value=1, max_value=PEOPLE_SERVED_LIMIT, initial=1
    )
    notes = CleanTextareaFormField(label=_("Notes"), required=False, max_length=2000)


class RateForm(forms.Form):
    rating = StarsField(label=_("Rating"), error=_("Choose a rating from 1 to 5."))
    comment = CleanTextareaFormField(label=_("Comment"), required=False, max_length=500)


class RecordForm(PhotoFormMixin, forms.Form):
    """A provider or staff records a delivered service directly."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    delivered_on = forms.DateField(
        label=_("Date delivered"), widget=forms.DateInput(attrs={"type": "date"})
    )
    people_served = forms.IntegerField(
        label=_("People served"), min_value=1, max_value=PEOPLE_SERVED_LIMIT, initial=1
    )
    notes = CleanTextareaFormField(label=_("Notes"), required=False, max_length=2000)
    photos = PhotosField(
        label=_("Photos"),
        max_count=RECORD_MAX_PHOTOS,
        limits=RECORD_PHOTO_LIMITS,
        help_text=_("Up to 6 JPEG, PNG or WebP photos, 5 MB each."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(is_active=True)
        if not sees_every_organisation(user):
            organisations = organisations & Organisation.objects.for_contact(user)
        self.fields["organisation"].queryset = organisations.order_by("name")
        self.fields["service"].queryset = Service.objects.active().select_related("category")
        self.fields["delivered_on"].initial = timezone.localdate


class TickForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        label=_("Present"),
        coerce=int,
        choices=(),
        error_messages={"required": _("Tick at least one member.")},
    )

    def __init__(self, *args, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(s.member_id, s.member.name) for s in signups]
