"""The notification settings form: channels per kind within what the kind allows."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.notices import kinds
from members.notices.actions import channels_for
from members.notices.models import Channel, Preference


class NoticeSettingsForm(forms.Form):
    """One checkbox per (kind, channel) the centre allows; a mandatory kind's are shown fixed."""

    language = forms.ChoiceField(
        label=_("Language of notices"),
        choices=[("", _("Portal default (Chinese)")), *settings.LANGUAGES],
        required=False,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        chosen = {p.kind: p for p in Preference.objects.filter(user=user)}
        self.fields["language"].initial = user.language
        self.rows = []
        labels = dict(Channel.choices)
        for spec in kinds.personal(staff=user.is_staff):
            on = channels_for(user, spec, chosen.get(spec.key))
            names = []
            for channel in spec.personal_channels:
                name = f"{spec.key}:{channel}"
                self.fields[name] = forms.BooleanField(
                    label=labels[channel],
                    required=False,
                    initial=channel in on,
                    disabled=spec.mandatory,
                )
                names.append(name)
            self.rows.append((spec, [self[name] for name in names]))

    def choices(self) -> dict[str, dict[str, bool]]:
        result: dict[str, dict[str, bool]] = {}
        for spec, fields in self.rows:
            result[spec.key] = {
                field.name.split(":", 1)[1]: bool(self.cleaned_data.get(field.name))
                for field in fields
            }
        return result
