"""The admin of accounts: logins, their roles (groups) and their e-mail addresses.

Who may change which account is decided here once: superuser and auditor accounts only by a
superuser (`only_superusers_change`), for the accounts list, the e-mail addresses and the
lockouts (members.admin_logins) alike. Personal data is masked in lists and searches match
whole values only. The libraries' own admin classes for groups and e-mail addresses are
registered again here (Django imports members' admin after theirs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from allauth.account import signals
from allauth.account.admin import EmailAddressAdmin as LibraryEmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.admin import GroupAdmin as LibraryGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members import actions
from members.accounts import CleanUsernameField, MobileField
from members.admin_base import (
    RecordedChangesMixin,
    apply_to_each,
    record_admin_change,
    row_action,
)
from members.audit import mask_name, mask_value
from members.masking import account_label, mask_mobile
from members.models import User
from members.phones import normalize_mobile

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _GroupCounts(TypedDict):
    n_holders: int
    n_permissions: int


# --- Who may change which account ------------------------------------------------------------


def audit_trail_roles():
    """The groups whose holders read the audit trail (the auditor's role)."""
    return Group.objects.filter(
        permissions__content_type__app_label="members", permissions__codename="view_auditevent"
    )


def protected_accounts() -> QuerySet[User]:
    """Superuser and auditor accounts: only a superuser changes them.

    Their password, e-mail or lockout handed to someone else would hand over the account, and
    with it the audit trail, to someone who changes data. One rule for every admin page that
    reaches an account (accounts, e-mail addresses, lockouts).
    """
    return User.objects.filter(Q(is_superuser=True) | Q(groups__in=audit_trail_roles()))


def only_superusers_change(by: User, account_id) -> bool:
    """True if `account_id` is a protected account and `by` is not a superuser."""
    if account_id is None or by.is_superuser:
        return False
    return protected_accounts().filter(pk=account_id).exists()


# --- Masked labels -----------------------------------------------------------------------------


def masked_login(raw: str | None) -> str:
    """A login name as axes stored it: an account key as is, an e-mail or mobile masked."""
    raw = (raw or "").strip()
    if raw.startswith("account:"):
        return raw
    if "@" in raw:
        return mask_value("email", raw)
    if raw.isdigit():
        return mask_mobile(raw)
    return mask_name(raw)


class _RowLabel:
    """Stands in for a row where the admin prints its string (the action checkbox's label)."""

    def __init__(self, pk, label: str) -> None:
        self.pk = pk
        self.label = label

    def __str__(self) -> str:
        return self.label


class MaskedRowLabelMixin:
    """The changelist's checkbox labels each row with str(row): masked here (e-mail, mobile)."""

    def row_label(self, obj) -> str:
        return mask_name(str(obj))

    def action_checkbox(self, obj):  # its column header is drawn by name, not from here
        return super().action_checkbox(_RowLabel(obj.pk, self.row_label(obj)))


# --- Accounts ----------------------------------------------------------------------------------


class AccountCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        field_classes = {"username": CleanUsernameField}


class AccountChangeForm(UserChangeForm):
    """The mobile is a login name and personal data: shown masked, only ever replaced."""

    class Meta(UserChangeForm.Meta):
        # Django's forms name its own User and its own username field; these are the
        # portal's, whose text fields strip bidi controls (members/text.py).
        model = User
        field_classes = {"username": CleanUsernameField}

    new_phone = MobileField(
        label=_("New mobile"),
        required=False,
        help_text=_("Leave empty to keep the current mobile."),
    )

    def clean_new_phone(self):
        phone = self.cleaned_data.get("new_phone")
        if phone and User.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another account already uses this mobile."), code="phone_taken"
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_phone"):
            self.instance.phone = cleaned["new_phone"]
        return cleaned


@admin.register(User)
class UserAdmin(MaskedRowLabelMixin, DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = (
        "display_name",
        "masked_email",
        "masked_phone",
        "role_names",
        "is_staff",
        "is_active",
        "last_login",
    )
    # Whole e-mail addresses, mobiles and login names only: a fragment would let staff spell
    # out a masked one digit by digit (the autocomplete look-ups search the same way).
    search_fields = ("first_name", "last_name", "=email", "=username")
    search_help_text = _(
        "Name, or a whole e-mail address, mobile number or login name (parts find nothing)."
    )
    fieldsets = (
        (None, {"fields": ("login_handle", "password")}),
        (_("Name and e-mail"), {"fields": ("last_name", "first_name", "email")}),
        (_("Mobile"), {"fields": ("mobile_on_file", "new_phone", "phone_verified")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("login_handle", "mobile_on_file")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    actions = ["disable_accounts", "unlock_accounts"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    # Centre staff manage accounts and roles, but only a superuser makes superusers or grants
    # single permissions, and only a superuser changes a superuser's or an auditor's account
    # (its password or e-mail would hand over the account). Nor may centre staff change their
    # own roles or hand out the auditor's: whoever changes data must not also read (or choose
    # who reads) the trail of those changes.
    # Nobody, a superuser included, can untick their own "active" or "staff" box: saving the
    # form would lock them out of the admin in the middle of their work.
    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        own = obj is not None and obj.pk == request.user.pk
        if own:
            fields = (*fields, "is_active", "is_staff")
        if request.user.is_superuser:
            return fields
        fields = (*fields, "is_superuser", "user_permissions", "last_login", "date_joined")
        if own:
            fields = (*fields, "groups")
        return fields

    def _only_superusers_change(self, request, obj) -> bool:
        return obj is not None and only_superusers_change(request.user, obj.pk)

    def get_search_results(self, request, queryset, search_term):
        mobile = normalize_mobile(search_term)
        if mobile:  # typed with spaces, dashes or +86: one exact match
            return queryset.filter(Q(phone=mobile) | Q(username=mobile)), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.exclude(pk__in=audit_trail_roles())
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if self._only_superusers_change(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._only_superusers_change(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    disable_accounts = row_action(
        lambda user, by: actions.disable_account(user=user, by=by),
        _("%(count)s account(s) disabled."),
        description=_("Disable the selected accounts (ends their sessions at once)"),
        permissions=["change"],
        label=account_label,
        unchangeable=_("only a superuser may disable this account."),
    )
    unlock_accounts = row_action(
        # An account that was not locked needed nothing: not counted.
        lambda user, by: bool(actions.unlock_account(user=user, by=by)),
        _("%(count)s account(s) unlocked."),
        description=_("Unlock the selected accounts (clear their failed logins)"),
        permissions=["change"],
        label=account_label,
        unchangeable=_("only a superuser may unlock this account."),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Unticking "active" by hand also ends the account's sessions at once.
        if change and "is_active" in form.changed_data and not obj.is_active:
            actions.end_sessions(user=obj)

    @admin.display(description=_("mobile"))
    def masked_phone(self, obj: User) -> str:
        return mask_mobile(obj.phone)

    @admin.display(description=_("mobile on file"))
    def mobile_on_file(self, obj: User) -> str:
        return mask_mobile(obj.phone) or "—"

    @admin.display(description=_("login name"))
    def login_handle(self, obj: User) -> str:
        """The internal handle is often the e-mail or mobile the account was made with."""
        return masked_login(obj.username)

    @admin.display(description=_("e-mail"), ordering="email")
    def masked_email(self, obj: User) -> str:
        return mask_value("email", obj.email)

    @admin.display(description=_("roles"))
    def role_names(self, obj: User) -> str:
        return "、".join(sorted(group.name for group in obj.groups.all()))

    @admin.display(description=_("name"))
    def display_name(self, obj: User) -> str:
        # Without a name, the masked mobile or e-mail (User.__str__).
        return str(obj)


class AccountLabelAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, naming accounts by `account_label`.

    Every field that points at an account (a branch's secretary, a member's login, an
    organisation's contacts, an exchange point's operators, a request's requester, ...) looks
    accounts up here: staff pick a person by name and masked contact, never by an e-mail
    address or mobile in clear.
    """

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, User):
            result["text"] = account_label(obj)
        return result


def _autocomplete_view(request):
    return AccountLabelAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The site builds its URLs from this attribute when deqing_hub.urls first reads them, after
# every admin module is imported.
admin.site.autocomplete_view = _autocomplete_view  # type: ignore[method-assign]


# --- Roles -------------------------------------------------------------------------------------


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(LibraryGroupAdmin):
    """Roles are declared in deqing_hub/roles.py and reset after every migrate.

    Centre staff see them (and set who holds one on the account page, which is recorded as a
    role change); only a superuser may add, edit or delete a group (no escalation by hand).
    """

    list_display = ("name", "holder_count", "permission_count")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_holders=Count("user", distinct=True),
                n_permissions=Count("permissions", distinct=True),
            )
        )

    @admin.display(description=_("holders"), ordering="n_holders")
    def holder_count(self, obj: WithAnnotations[Group, _GroupCounts]) -> int:
        return obj.n_holders

    @admin.display(description=_("permissions"), ordering="n_permissions")
    def permission_count(self, obj: WithAnnotations[Group, _GroupCounts]) -> int:
        return obj.n_permissions


# --- E-mail addresses --------------------------------------------------------------------------


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(MaskedRowLabelMixin, RecordedChangesMixin, LibraryEmailAddressAdmin):
    """Centre staff help a member stuck at login: confirm an address or make it primary.

    The address itself and its account are not edited here (that would hand someone else's
    login to a new mailbox); members change their addresses on their account page.
    """

    list_display = ("masked_email", "account", "primary", "verified")
    list_select_related = ("user",)
    # "primary" changes through the action: it also unmarks the old one and updates the
    # account's e-mail, as allauth does (one primary address per account).
    readonly_fields = ("account", "email", "primary")
    fields = ("account", "email", "verified", "primary")
    actions = ["confirm_addresses", "make_primary"]
    search_help_text = _("A full e-mail address.")
    recorded_fields = ("verified", "primary", "email")
    deleted_field = "email"

    def get_search_fields(self, request):
        # Whole addresses only: a fragment would let staff spell out a masked address.
        return ("=email",)

    def get_readonly_fields(self, request, obj=None):
        # A superuser adding an address picks its account and types it.
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("user", "email", "verified", "primary") if obj is None else self.fields

    # Confirming a second address and making it primary changes the account's login e-mail:
    # for superuser and auditor accounts, only a superuser does that (as on the account page).
    def has_change_permission(self, request, obj=None):
        if obj is not None and only_superusers_change(request.user, obj.user_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and only_superusers_change(request.user, obj.user_id):
            return False
        return super().has_delete_permission(request, obj)

    def _changeable(self, request, queryset):
        """The selected addresses this user may change; a masked warning for the others."""
        if request.user.is_superuser:
            return queryset
        refused = queryset.filter(user__in=protected_accounts())
        for address in refused:
            self.message_user(
                request,
                gettext("%(email)s: only a superuser may change this account's addresses.")
                % {"email": mask_value("email", address.email)},
                messages.WARNING,
            )
        return queryset.exclude(user__in=protected_accounts())

    @admin.display(description=_("e-mail"), ordering="email")
    def masked_email(self, obj: EmailAddress) -> str:
        return mask_value("email", obj.email)

    @admin.display(description=_("account"), ordering="user")
    def account(self, obj: EmailAddress) -> str:
        return mask_name(str(obj.user))

    @admin.action(description=_("Mark the selected addresses as confirmed"), permissions=["change"])
    def confirm_addresses(self, request, queryset):
        # As allauth's own action, whose messages print the full address: email_confirmed is
        # sent, which the audit trail records.
        def confirm(address: EmailAddress) -> bool:
            if not address.set_verified():
                return False
            signals.email_confirmed.send(
                sender=EmailAddress, request=request, email_address=address
            )
            return True

        apply_to_each(
            self,
            request,
            self._changeable(request, queryset).filter(verified=False),
            confirm,
            _("%(count)s address(es) confirmed."),
        )

    @admin.action(
        description=_("Make the selected addresses their accounts' primary address"),
        permissions=["change"],
    )
    def make_primary(self, request, queryset):
        def make_primary(address: EmailAddress) -> None:
            address.set_as_primary()  # the account's own e-mail changes too (recorded)
            record_admin_change(
                request, address, "change", {"primary": {"before": False, "after": True}}
            )

        apply_to_each(
            self,
            request,
            self._changeable(request, queryset).filter(primary=False),
            make_primary,
            _("%(count)s address(es) made primary."),
        )
