from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from members.accounts import MobileField
from members.text import CleanEmailFormField


class StarsField(forms.TypedChoiceField):
    """A rating of 1 to 5 stars, best first; `error` says what to choose (missing or invalid)."""

    def __init__(self, *, error, **kwargs) -> None:
        super().__init__(
            choices=[(n, "★" * n) for n in range(5, 0, -1)],
            coerce=int,
            error_messages={"required": error, "invalid_choice": error},
            **kwargs,
        )


class ContactDetailsForm(forms.Form):
    """The only fields a member may change: e-mail and mobile, confirmed by the password.

    Deliberately a plain Form, not a ModelForm: whatever else a POST carries (branch, status,
    user ...) has no field to land in.
    """

    email = CleanEmailFormField(label=_("E-mail"), required=False, max_length=254)
    mobile = MobileField(label=_("Mobile"), required=False)
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to confirm the change.")},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password


class QuickSelect(forms.Select):
    """A <select> joined in Python from its (value, label) choices, for hundreds of choices.

    Django builds a dict per option and draws each through a template (tens of microseconds
    each); the services list's 500 organisations were most of its time. Flat choices only.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        # html.escape on plain strings: format_html per option costs as much as a template.
        options = "".join(
            f'<option value="{escape(str(choice))}"'
            f"{' selected' if str(choice) in selected else ''}>{escape(str(label))}</option>"
            for choice, label in self.choices
        )
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(attrs),
            mark_safe(options),  # noqa: S308
        )
