"""allauth adapter: login by mainland mobile number or by e-mail."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.forms import LoginForm
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import UsernameField
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from members.phones import normalize_mobile
from members.text import CleanCharFormField, StripsBidiControls, clean_text


class MobileField(CleanCharFormField):
    """Accepts a mainland mobile as people type it and cleans it to 11 digits."""

    default_error_messages = {
        "invalid": _("Enter an 11-digit mainland mobile number, such as 13812345678."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        )
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        mobile = normalize_mobile(value)
        if not mobile:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return mobile


# The longest identifier anyone logs in with is an e-mail address (254 characters); a mobile or
# a username is shorter. Both login forms refuse anything longer as a field error, before the
# credentials reach authentication: django-axes writes the name of every failed login into a
# 255-character column, and PostgreSQL refuses a longer value (the login page was a 500).
LOGIN_MAX_LENGTH = 254


def limit_login_length(field: forms.Field) -> None:
    """Give a login-name field the portal's maximum length, checked and shown in the page.

    Setting `max_length` on a built field only changes the attribute (Django's
    AuthenticationForm does just that, so the admin's login never checked it): the validator
    has to be added as well.
    """
    field.max_length = LOGIN_MAX_LENGTH  # type: ignore[attr-defined]  # CharField-like
    field.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)
    field.error_messages["max_length"] = _(
        "A login name has at most %(limit_value)d characters: enter your mobile number or "
        "e-mail address."
    )


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        return MobileField(**kwargs)

    def clean_email(self, email: str) -> str:
        # allauth's own forms (sign-up, add an address, reset) call this; the address must
        # be stripped here, as `User.email` is on save, or allauth's copy of it would differ.
        return super().clean_email(clean_text(email))

    def clean_phone(self, phone: str) -> str:
        return normalize_mobile(phone) or phone

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = normalize_mobile(phone) or None
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str) -> None:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str):
        from django.contrib.auth import get_user_model

        mobile = normalize_mobile(phone)
        if not mobile:
            return None
        return get_user_model().objects.filter(phone=mobile).first()

    def set_password(self, user, password: str) -> None:
        # allauth sends password_changed, password_set or password_reset right after this
        # save; the audit records that signal, so the save itself is marked as not to record.
        from members.audit_receivers import ALLAUTH_PASSWORD_SAVE

        setattr(user, ALLAUTH_PASSWORD_SAVE, True)
        try:
            super().set_password(user, password)
        finally:
            setattr(user, ALLAUTH_PASSWORD_SAVE, False)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # Phone verification is off (see settings); nothing should call this.
        raise NotImplementedError("SMS verification is not enabled")


class PortalLoginForm(LoginForm):
    """allauth's login form, letting accounts that have only a mobile log in.

    E-mail verification is mandatory for accounts with an e-mail address. A member whom staff
    invited by mobile has no e-mail to verify: the invitation SMS (sent to the number staff
    hold on record) already proved the phone, so no e-mail step is asked of them.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_login_length(self.fields["login"])

    def clean(self):
        cleaned_data = super().clean()
        login = getattr(self, "_login", None)
        if login is not None and login.user is not None and not login.user.email:
            login.email_verification = EmailVerificationMethod.NONE
        return cleaned_data


class CleanUsernameField(StripsBidiControls, UsernameField):
    """Django's login-name field with the portal's text rule (members/text.py)."""


class PortalAdminLoginForm(AdminAuthenticationForm):
    """The staff admin's login form, with the member login's length limit on the login name."""

    # Django's own login-name field, as AuthenticationForm declares it, with the text rule.
    username = CleanUsernameField(widget=forms.TextInput(attrs={"autofocus": True}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_login_length(self.fields["username"])
