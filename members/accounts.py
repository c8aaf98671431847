"""allauth adapter: login by mainland mobile number or by e-mail, with a password or a code."""

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import EmailField as AllauthEmailField
from allauth.account.forms import LoginForm, RequestLoginCodeForm, SignupForm
from allauth.account.signals import login_code_rejected
from allauth.account.stages import EmailVerificationStage
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.signals import user_login_failed
from django.core.validators import MaxLengthValidator
from django.dispatch import receiver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members import sms
from members.phones import normalize_mobile
from members.text import CleanCharFormField, StripsBidiControls, clean_text

logger = logging.getLogger(__name__)

# How texts and e-mails to members sign off: the centre, never the host name.
CENTRE_NAME = _("Deqing GIS Town Party and Masses Service Centre")


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
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's own reads "错误代码。" in Chinese, which tells a member nothing.
        "incorrect_code": _("That code is wrong or has expired. Check the latest text message."),
    }

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
        # allauth calls this only once a code sent to the phone was entered (sign-up, login by
        # code): the one moment an account may be linked to a member by its mobile.
        from members.actions import link_member_by_verified_mobile

        user.phone_verified = True
        user.save(update_fields=["phone_verified"])
        link_member_by_verified_mobile(user=user)

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
        # Login and sign-up codes alike. Sent at once, not queued: the member is waiting for
        # it on the next page.
        minutes = settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60
        text = _(
            "%(centre)s: your verification code is %(code)s, valid for %(minutes)d minutes. "
            "Do not tell it to anyone."
        ) % {"centre": CENTRE_NAME, "code": code, "minutes": minutes}
        try:
            sms.get_backend().send(
                numbers=[phone],
                text=str(text),
                key=f"sms-code-{secrets.token_hex(8)}",
                template="code",
                params={"code": code},
            )
        except sms.SmsError as exc:
            logger.warning("members.login_code_sms_failed", extra={"error": type(exc).__name__})
            messages.error(
                self.request,
                _("The text message could not be sent. Try again in a few minutes."),
            )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        # Deliberately silent: the page reads the same as for a known number (no enumeration),
        # and texting any number typed in would let strangers send paid SMS to anyone.
        return None

    def get_login_stages(self) -> list[str]:
        return [
            "members.accounts.EmailVerificationUnlessMobileOnly"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def pre_login(self, request, user, **kwargs):
        # A password login was already refused by Axes' backend when locked out; a login by
        # code never authenticates through the backends, so the lock is checked here too.
        phone = user.phone or ""
        credentials = {"login": phone or user.email}
        if AxesProxyHandler.is_locked(request, credentials):
            return get_lockout_response(request, credentials=credentials)
        return super().pre_login(request, user, **kwargs)


class PortalLoginForm(LoginForm):
    """allauth's login form, with the portal's limit on the login name's length."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit_login_length(self.fields["login"])


class EmailVerificationUnlessMobileOnly(EmailVerificationStage):
    """allauth's e-mail verification step, skipped for accounts without an e-mail address.

    E-mail verification is mandatory for accounts with an address. An account with only a
    mobile has no e-mail to verify: its mobile was verified by an SMS code (sign-up, login by
    code) or entered by staff from the roll (an invitation), so no e-mail step is asked.
    """

    def handle(self):
        if self.login.user is not None and not self.login.user.email:
            return None, True
        return super().handle()


class CleanAllauthEmailField(StripsBidiControls, AllauthEmailField):
    """allauth's e-mail field (its widget and label) with the portal's text rule."""


class PortalRequestLoginCodeForm(RequestLoginCodeForm):
    """allauth's "send me a code" form, mobile first: members log in by SMS; the e-mail box
    stays as the second way for those who have no mobile on the roll."""

    email = CleanAllauthEmailField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["placeholder"] = "13812345678"
        self.fields["email"].label = _("Or your e-mail address")
        self.order_fields(["phone", "email"])

    # allauth words its limit on code requests as "too many failed logins", which a member who
    # has only asked for a text twice reads as an accusation; say what happened instead.
    def clean_phone(self) -> str:
        with codes_limited():
            return super().clean_phone()

    def clean_email(self) -> str:
        with codes_limited():
            return super().clean_email()


@contextmanager
def codes_limited() -> Iterator[None]:
    try:
        yield
    except forms.ValidationError as exc:
        if exc.code != "too_many_login_attempts":
            raise
        raise forms.ValidationError(
            _("Too many codes were asked for. Wait 10 minutes, then ask again."),
            code=exc.code,
        ) from exc


class PortalSignupForm(SignupForm):
    """allauth's sign-up form, with a mobile or an e-mail address (at least one)."""

    # allauth's own fields again, with the portal's text rule (members/text.py); there is
    # no username (ACCOUNT_USER_MODEL_USERNAME_FIELD), allauth removes that field at init.
    username = CleanCharFormField(required=False)
    email = CleanAllauthEmailField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.required = email.widget.is_required = False
        email.label = gettext("Email (optional)")

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("phone") and not cleaned_data.get("email"):
            raise forms.ValidationError(
                _("Enter a mobile number or an e-mail address."), code="no_contact"
            )
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


@receiver(login_code_rejected, dispatch_uid="members_login_code_rejected")
def count_rejected_code(sender, request, user, **kwargs) -> None:
    """A wrong login code is a failed login: Axes counts it toward lockout, the audit records it."""
    user_login_failed.send(
        sender=__name__,
        credentials={"login": user.phone or user.email},
        request=request,
    )
