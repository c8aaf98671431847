from django import forms
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
