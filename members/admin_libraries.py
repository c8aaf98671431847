"""The admin of the libraries' models: roles (groups), e-mail addresses, lockouts, schedules.

Registered again over the libraries' own admin classes (imported by members.admin, which
Django loads after theirs) so that they follow the portal's rules: personal data masked in
lists, logs read-only, every change recorded in the audit trail (these models are outside
the apps whose saves the audit receivers watch), and actions that need a permission ask for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from allauth.account import signals
from allauth.account.admin import EmailAddressAdmin as LibraryEmailAddressAdmin
from allauth.account.models import EmailAddress
from axes.admin import AccessAttemptAdmin as LibraryAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as LibraryAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as LibraryAccessLogAdmin
from axes.admin import IsLockedOutFilter
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as LibraryGroupAdmin
from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin as LibraryPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from members import actions
from members.admin_audit import record_admin_change
from members.audit import mask_name, mask_value
from members.masking import mask_mobile
from members.models import User
from members.phones import normalize_mobile
from members.text import CleanCharFormField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations


class _GroupCounts(TypedDict):
    n_holders: int
    n_permissions: int


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


def account_id_of_login(key: str | None) -> int | None:
    """The account a login name as axes stored it belongs to (its "account:<id>" key)."""
    prefix, _sep, rest = (key or "").partition(":")
    return int(rest) if prefix == "account" and rest.isdigit() else None


def login_keys(term: str) -> set[str]:
    """The keys axes may have stored a typed login name under (exact, never a part of one).

    deqing_hub.security.axes_username counts an account's failures under "account:<id>" and
    an unknown name as typed (a mobile normalised): a typed mobile, e-mail or login name finds
    the same rows, a fragment of one finds nothing.
    """
    term = (term or "").strip()
    if not term:
        return set()
    mobile = normalize_mobile(term)
    keys = {term, term.lower(), mobile} - {""}
    accounts = User.objects.filter(phone=mobile) if mobile else User.objects.none()
    if not mobile:
        accounts = User.objects.filter(Q(email__iexact=term) | Q(username=term))
    keys.update(actions.axes_key(account) for account in accounts)
    return keys


class _Labelled:
    """An object as the admin's detail pages print it (title, breadcrumb, heading)."""

    def __init__(self, obj, label: str) -> None:
        self._obj = obj
        self._label = label

    def __getattr__(self, name):
        return getattr(self._obj, name)

    def __str__(self) -> str:
        return self._label


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


# --- Roles --------------------------------------------------------------------------------------


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


# --- E-mail addresses ---------------------------------------------------------------------------


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(MaskedRowLabelMixin, LibraryEmailAddressAdmin):
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
        done = 0
        for address in self._changeable(request, queryset).filter(verified=False):
            if address.set_verified():
                signals.email_confirmed.send(
                    sender=EmailAddress, request=request, email_address=address
                )
                done += 1
        self.message_user(
            request,
            gettext("%(count)s address(es) confirmed.") % {"count": done},
            messages.SUCCESS if done else messages.INFO,
        )

    @admin.action(
        description=_("Make the selected addresses their accounts' primary address"),
        permissions=["change"],
    )
    def make_primary(self, request, queryset):
        done = 0
        for address in self._changeable(request, queryset).filter(primary=False):
            address.set_as_primary()  # the account's own e-mail changes too (recorded)
            record_admin_change(
                request, address, "change", {"primary": {"before": False, "after": True}}
            )
            done += 1
        self.message_user(
            request,
            gettext("%(count)s address(es) made primary.") % {"count": done},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            before = EmailAddress.objects.filter(pk=obj.pk).values(*form.changed_data).first()
        super().save_model(request, obj, form, change)
        changes = {
            name: {"before": (before or {}).get(name), "after": getattr(obj, name)}
            for name in form.changed_data
            if name in ("verified", "primary", "email")
        }
        record_admin_change(request, obj, "change" if change else "add", changes)

    def delete_model(self, request, obj):
        record_admin_change(request, obj, "delete", {"email": {"before": obj.email}})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_admin_change(request, obj, "delete", {"email": {"before": obj.email}})
        super().delete_queryset(request, queryset)


# --- Lockouts and login logs (django-axes) ------------------------------------------------------


class _LoginLogColumns:
    """Masked login names in lists, searches and on the detail pages.

    Axes' own strings print the login name as typed, in English ("Failed access: user
    139..."); the detail page's title, breadcrumb and heading and the delete confirmation
    use `detail_label` instead.
    """

    detail_text: StrOrPromise  # "... of %(login)s, %(time)s", per log
    search_help_text = _(
        "A whole mobile number, e-mail address or login name, or an IP address or path."
    )

    @admin.display(description=_("time"), ordering="attempt_time")
    def local_time(self, obj) -> str:
        return _local(obj.attempt_time)

    @admin.display(description=_("login name"), ordering="username")
    def login_name(self, obj) -> str:
        return masked_login(obj.username)

    def detail_label(self, obj) -> str:
        return str(self.detail_text) % {
            "login": masked_login(obj.username),
            "time": _local(obj.attempt_time),
        }

    def get_search_results(self, request, queryset, search_term):
        # Whole login names only (a typed mobile normalised): a fragment would let staff spell
        # out a masked mobile digit by digit. Addresses and paths are searched as usual.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        keys = login_keys(search_term)
        if keys:
            found = found | queryset.filter(username__in=keys)
        return found, may_have_duplicates

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            label = self.detail_label(obj)
            context.update(original=_Labelled(obj, label), subtitle=label)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_deleted_objects(self, objs, request):
        _deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        labels = [f"{capfirst(self.opts.verbose_name)}: {self.detail_label(obj)}" for obj in objs]
        return labels, model_count, perms_needed, protected

    def render_delete_form(self, request, context):
        obj = context.get("object")
        if obj is not None:
            context["object"] = _Labelled(obj, self.detail_label(obj))
        return super().render_delete_form(request, context)


for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(_LoginLogColumns, LibraryAccessAttemptAdmin):
    """Failed logins counted towards a lockout. Deleting them unlocks the account (recorded).

    The form data axes keeps (the typed login name) is personal data and is not shown.
    Unlocking here and on the accounts list is one use case (members.actions), recorded alike;
    a superuser's or an auditor's lockout is cleared only by a superuser.
    """

    detail_text = _("Failed logins of %(login)s, %(time)s")
    list_display = (
        "local_time",
        "login_name",
        "ip_address",
        "path_info",
        "failures_since_start",
        "locked_out",
    )
    list_filter = ("attempt_time", IsLockedOutFilter, "path_info")
    search_fields = ("ip_address", "path_info")
    fieldsets = (
        (None, {"fields": ("login_name", "path_info", "failures_since_start", "local_time")}),
        (_("Client"), {"fields": ("ip_address", "user_agent")}),
    )
    readonly_fields = (
        "login_name",
        "path_info",
        "failures_since_start",
        "local_time",
        "ip_address",
        "user_agent",
    )
    actions = ["unlock"]

    def has_change_permission(self, request, obj=None):
        return False  # a log: nothing to edit

    def has_delete_permission(self, request, obj=None):
        if obj is not None and only_superusers_change(
            request.user, account_id_of_login(obj.username)
        ):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("locked out"), boolean=True)
    def locked_out(self, obj: AccessAttempt) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.action(
        description=_("Unlock (delete the selected failed logins)"), permissions=["delete"]
    )
    def unlock(self, request, queryset):
        count = self._clear(request, queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)s lockout record deleted.", "%(count)s lockout records deleted.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def _clear(self, request, queryset) -> int:
        """Clear the selected attempts through the one unlocking use case; skip protected ones."""
        if not request.user.is_superuser:
            protected = {actions.axes_key(account) for account in protected_accounts()}
            for attempt in queryset.filter(username__in=protected):
                self.message_user(
                    request,
                    gettext("%(account)s: only a superuser may unlock this account.")
                    % {"account": masked_login(attempt.username)},
                    messages.WARNING,
                )
            queryset = queryset.exclude(username__in=protected)
        return actions.clear_failed_logins(attempts=queryset, by=request.user)

    def delete_model(self, request, obj):
        self._clear(request, AccessAttempt.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        self._clear(request, queryset)


class _ReadOnlyLog(_LoginLogColumns):
    """Axes' logs are evidence: read-only for everyone, superusers included."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(_ReadOnlyLog, LibraryAccessLogAdmin):
    """Successful logins and their logout time."""

    detail_text = _("Login of %(login)s, %(time)s")
    list_display = ("local_time", "logout", "login_name", "ip_address", "path_info")
    search_fields = ("ip_address", "path_info")
    fieldsets = (
        (None, {"fields": ("login_name", "path_info", "local_time", "logout")}),
        (_("Client"), {"fields": ("ip_address", "user_agent")}),
    )
    readonly_fields = (
        "login_name",
        "path_info",
        "local_time",
        "logout",
        "ip_address",
        "user_agent",
    )

    @admin.display(description=_("logged out"), ordering="logout_time")
    def logout(self, obj: AccessLog) -> str:
        return _local(obj.logout_time)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(_ReadOnlyLog, LibraryAccessFailureLogAdmin):
    """Every failed login, kept after an unlock."""

    detail_text = _("Failed login of %(login)s, %(time)s")
    list_display = ("local_time", "login_name", "ip_address", "path_info", "locked_out")
    search_fields = ("ip_address", "path_info")
    fieldsets = (
        (None, {"fields": ("login_name", "path_info", "local_time", "locked_out")}),
        (_("Client"), {"fields": ("ip_address", "user_agent")}),
    )
    readonly_fields = (
        "login_name",
        "path_info",
        "local_time",
        "locked_out",
        "ip_address",
        "user_agent",
    )


# --- Periodic tasks (django-celery-beat) --------------------------------------------------------


class PeriodicTaskPauseForm(forms.ModelForm):
    class Meta:
        model = PeriodicTask
        fields = ("enabled", "description")
        # The library's model field is a plain TextField; the note is the portal's text.
        field_classes = {"description": CleanCharFormField}


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(LibraryPeriodicTaskAdmin):
    """The schedule is declared in deqing_hub/schedule.py; beat copies it here at start-up.

    Centre staff may pause and resume an entry and note why; what runs, when and with which
    arguments stays as declared (only a superuser edits it). Every change is recorded.
    """

    actions = ("enable_tasks", "disable_tasks")
    PAUSE_FIELDS = ("enabled", "description")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._pause_only(request, obj):
            kwargs["form"] = PeriodicTaskPauseForm
        return super().get_form(request, obj, change, **kwargs)

    def _pause_only(self, request, obj) -> bool:
        return obj is not None and not request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        if not self._pause_only(request, obj):
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ("name", "task", "enabled", "description")}),
            (
                _("Schedule"),
                {"fields": ("crontab", "interval", "solar", "clocked", "last_run_at", "one_off")},
            ),
            (_("Arguments"), {"fields": ("args", "kwargs")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if not self._pause_only(request, obj):
            return super().get_readonly_fields(request, obj)
        every = [
            name
            for _name, fieldset in self.get_fieldsets(request, obj)
            for name in fieldset["fields"]
        ]
        return [name for name in every if name not in self.PAUSE_FIELDS]

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            before = PeriodicTask.objects.filter(pk=obj.pk).values(*form.changed_data).first()
        super().save_model(request, obj, form, change)
        changes = {
            name: {"before": (before or {}).get(name), "after": getattr(obj, name, None)}
            for name in form.changed_data
        }
        record_admin_change(request, obj, "change" if change else "add", changes)

    def delete_model(self, request, obj):
        record_admin_change(request, obj, "delete", {"task": {"before": obj.task}})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_admin_change(request, obj, "delete", {"task": {"before": obj.task}})
        super().delete_queryset(request, queryset)

    def _set_enabled(self, request, queryset, enabled: bool) -> int:
        changed = 0
        for task in queryset.filter(enabled=not enabled):
            task.enabled = enabled
            if not enabled:
                task.last_run_at = None  # as django-celery-beat's own action does
            task.save(update_fields=["enabled", "last_run_at"])
            record_admin_change(
                request, task, "change", {"enabled": {"before": not enabled, "after": enabled}}
            )
            changed += 1
        PeriodicTasks.update_changed()
        return changed

    @admin.action(description=_("Resume the selected tasks"), permissions=["change"])
    def enable_tasks(self, request, queryset):
        count = self._set_enabled(request, queryset, True)
        self.message_user(
            request, gettext("%(count)s task(s) resumed.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Pause the selected tasks"), permissions=["change"])
    def disable_tasks(self, request, queryset):
        count = self._set_enabled(request, queryset, False)
        self.message_user(
            request, gettext("%(count)s task(s) paused.") % {"count": count}, messages.SUCCESS
        )
