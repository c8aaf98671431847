"""The admin of lockouts and login logs (django-axes): masked, searchable by whole login names.

Registered again over axes' own admin classes (Django imports members' admin after theirs).
The lockouts are cleared through the one unlocking use case (members.actions), as on the
accounts list; the logs are evidence, read-only for everyone, superusers included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from axes.admin import AccessAttemptAdmin as LibraryAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as LibraryAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as LibraryAccessLogAdmin
from axes.admin import IsLockedOutFilter
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from members import actions
from members.admin_accounts import masked_login, only_superusers_change, protected_accounts
from members.admin_base import ReadOnlyMixin
from members.models import User
from members.phones import normalize_mobile

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


class _LoginLogColumns:
    """Masked login names in lists, searches and on the detail pages.

    Axes' own strings print the login name as typed, in English ("Failed access: user
    139..."); the detail page's title, breadcrumb and heading and the delete confirmation
    use `detail_label` instead. Nobody edits a log row: the detail page is Django's
    view-only page, the fields of `detail_fields` after the login name and path, then the
    client. The form data axes keeps (the typed login name) is personal data: not shown.
    """

    detail_text: StrOrPromise  # "... of %(login)s, %(time)s", per log
    detail_fields: tuple[str, ...]
    search_fields = ("ip_address", "path_info")
    search_help_text = _(
        "A whole mobile number, e-mail address or login name, or an IP address or path."
    )

    def has_change_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        return (
            (None, {"fields": ("login_name", "path_info", *self.detail_fields)}),
            (_("Client"), {"fields": ("ip_address", "user_agent")}),
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

    Unlocking here and on the accounts list is one use case (members.actions), recorded alike;
    a superuser's or an auditor's lockout is cleared only by a superuser.
    """

    detail_text = _("Failed logins of %(login)s, %(time)s")
    detail_fields = ("failures_since_start", "local_time")
    list_display = (
        "local_time",
        "login_name",
        "ip_address",
        "path_info",
        "failures_since_start",
        "locked_out",
    )
    list_filter = ("attempt_time", IsLockedOutFilter, "path_info")
    actions = ["unlock"]

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


@admin.register(AccessLog)
class AccessLogAdmin(_LoginLogColumns, ReadOnlyMixin, LibraryAccessLogAdmin):
    """Successful logins and their logout time."""

    detail_text = _("Login of %(login)s, %(time)s")
    detail_fields = ("local_time", "logout")
    list_display = ("local_time", "logout", "login_name", "ip_address", "path_info")

    @admin.display(description=_("logged out"), ordering="logout_time")
    def logout(self, obj: AccessLog) -> str:
        return _local(obj.logout_time)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(_LoginLogColumns, ReadOnlyMixin, LibraryAccessFailureLogAdmin):
    """Every failed login, kept after an unlock."""

    detail_text = _("Failed login of %(login)s, %(time)s")
    detail_fields = ("local_time", "locked_out")
    list_display = ("local_time", "login_name", "ip_address", "path_info", "locked_out")
