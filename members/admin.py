from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from members import actions
from members.accounts import MobileField
from members.admin_audit import AuditedAdminMixin, AuditEventAdmin

# Importing it also re-registers the libraries' models (groups, lockouts, schedules, ...).
from members.admin_libraries import (
    MaskedRowLabelMixin,
    audit_trail_roles,
    masked_login,
    only_superusers_change,
)
from members.audit import get_in_scope_or_404, mask_name, mask_value, record_event
from members.masking import account_label, mask_id_number, mask_mobile
from members.models import AuditEvent, Branch, Enterprise, Member, PersonalDataReveal, User
from members.phones import normalize_mobile
from members.querysets import sees_every_branch
from members.sheets.files import MAX_SHEET_BYTES
from members.sheets.roll import BranchResource, EnterpriseResource, MemberResource
from members.text import CleanCharFormField, StripsBidiControls
from members.validators import normalize_credit_code, normalize_id_number, validate_id_number

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _EnterpriseCounts(TypedDict):
    n_members: int


class _BranchCounts(TypedDict):
    n_enterprises: int
    n_members: int


class CleanUsernameField(StripsBidiControls, UsernameField):
    """Django's login-name field with the portal's text rule (members/text.py)."""


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
    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        fields = (*fields, "is_superuser", "user_permissions", "last_login", "date_joined")
        if obj is not None and obj.pk == request.user.pk:
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

    @admin.action(
        description=_("Disable the selected accounts (ends their sessions at once)"),
        permissions=["change"],
    )
    def disable_accounts(self, request, queryset):
        done = 0
        for user in queryset:
            if not self.has_change_permission(request, user):
                self.message_user(
                    request,
                    gettext("%(account)s: only a superuser may disable this account.")
                    % {"account": account_label(user)},
                    messages.WARNING,
                )
                continue
            try:
                actions.disable_account(user=user, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(
                    request, f"{account_label(user)}: {' '.join(exc.messages)}", messages.WARNING
                )
        if done:
            self.message_user(
                request,
                gettext("%(count)s account(s) disabled.") % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Unlock the selected accounts (clear their failed logins)"),
        permissions=["change"],
    )
    def unlock_accounts(self, request, queryset):
        unlocked = 0
        for user in queryset:
            if not self.has_change_permission(request, user):  # as disable_accounts
                self.message_user(
                    request,
                    gettext("%(account)s: only a superuser may unlock this account.")
                    % {"account": account_label(user)},
                    messages.WARNING,
                )
                continue
            unlocked += bool(actions.unlock_account(user=user, by=request.user))
        self.message_user(
            request,
            gettext("%(count)s account(s) unlocked.") % {"count": unlocked},
            messages.SUCCESS if unlocked else messages.INFO,
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


# --- Spreadsheet import/export -----------------------------------------------------------


class SheetImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_SHEET_BYTES:
            raise ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit)s MB."),
                params={
                    "size": upload.size / 1024 / 1024,
                    "limit": MAX_SHEET_BYTES // 1024 // 1024,
                },
                code="too_large",
            )
        return upload


class SheetAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    """Import with a dry-run preview, all rows or none; export masked unless permitted."""

    formats = [base_formats.XLSX, base_formats.CSV]
    import_form_class = SheetImportForm
    import_template_name = "admin/members/import.html"
    from_encoding = "utf-8-sig"

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"members.import_{self.opts.model_name}")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"members.export_{self.opts.model_name}")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {
            "user": request.user,
            "reveal": request.user.has_perm("members.reveal_personal_data"),
        }

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # The confirmed import must fail whole, as its preview did, if anything changed since.
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _(
                "The file could not be read: it may be damaged or cut short, or not in the chosen "
                "format. Open it in Excel, save it again and upload it again."
            ),
        )


# --- Enterprises and branches ----------------------------------------------------------------


@admin.register(Enterprise)
class EnterpriseAdmin(SheetAdmin):
    resource_classes = [EnterpriseResource]
    list_display = ("name", "credit_code", "industry", "signed_on", "member_count", "is_active")
    list_filter = ("industry", "is_active", "signed_on")
    search_fields = ("name", "credit_code")
    date_hierarchy = "signed_on"

    def get_queryset(self, request):
        # A grouped query ignores Meta.ordering; autocomplete pages need a stable one.
        return super().get_queryset(request).annotate(n_members=Count("employees")).order_by("name")

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, obj: WithAnnotations[Enterprise, _EnterpriseCounts]) -> int:
        return obj.n_members

    def save_model(self, request, obj, form, change):
        obj.credit_code = normalize_credit_code(obj.credit_code)
        super().save_model(request, obj, form, change)


class BranchAdminForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ("name", "kind", "enterprises", "secretary")

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned and "enterprises" in cleaned:
            try:
                actions.check_branch_enterprises(
                    kind=cleaned["kind"], enterprises=cleaned["enterprises"], branch=self.instance
                )
            except ValidationError as exc:
                self.add_error("enterprises", exc)
        return cleaned


@admin.register(Branch)
class BranchAdmin(SheetAdmin):
    resource_classes = [BranchResource]
    form = BranchAdminForm
    list_display = ("name", "kind", "enterprise_count", "member_count", "secretary_label")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("secretary",)
    autocomplete_fields = ("enterprises", "secretary")

    def get_queryset(self, request):
        return (
            Branch.objects.visible_to(request.user)
            .annotate(
                n_enterprises=Count("enterprises", distinct=True),
                n_members=Count("members", distinct=True),
            )
            .select_related("secretary")
            # Meta.ordering does not apply to a grouped query; autocomplete pages need one.
            .order_by("name", "pk")
        )

    @admin.display(description=_("enterprises"), ordering="n_enterprises")
    def enterprise_count(self, obj: WithAnnotations[Branch, _BranchCounts]) -> int:
        return obj.n_enterprises

    @admin.display(description=_("secretary"), ordering="secretary")
    def secretary_label(self, obj: Branch) -> str:
        return account_label(obj.secretary) if obj.secretary_id else "—"

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, obj: WithAnnotations[Branch, _BranchCounts]) -> int:
        return obj.n_members


# --- Members ---------------------------------------------------------------------------------

_MASKED_MOBILE_QUERY = re.compile(r"^(1\d{2})\*{2,}(\d{4})$")


class MemberAdminForm(forms.ModelForm):
    """Staff never see a full mobile or ID number here: they may only replace them."""

    new_mobile = MobileField(
        label=_("New mobile"),
        required=False,
        help_text=_("Leave empty to keep the current mobile."),
    )
    new_id_number = CleanCharFormField(
        label=_("New resident ID number"),
        required=False,
        max_length=32,
        help_text=_(
            "Only with the member's separate consent. Leave empty to keep the current one."
        ),
    )
    erase_id_number = forms.BooleanField(label=_("Erase the ID number"), required=False)

    class Meta:
        model = Member
        fields = (
            "name",
            "gender",
            "email",
            "branch",
            "status",
            "joined_on",
            "employer",
            "talent_programme",
            "talent_origin",
            "ranking_consent",
            "id_number_consent",
            "is_active",
            "user",
        )

    def clean_new_id_number(self):
        number = normalize_id_number(self.cleaned_data.get("new_id_number"))
        if number:
            validate_id_number(number)
        return number

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("new_id_number")
        if number:
            if not cleaned.get("id_number_consent"):
                self.add_error(
                    "id_number_consent",
                    _("Collect the ID number only with the member's separate consent."),
                )
            self.instance.id_number = number
            clash = Member.objects.filter(id_number_digest=self.instance.id_number_digest)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            clash = clash.first()
            if clash is not None:
                self._refuse_id_number(clash)
        elif cleaned.get("erase_id_number") or not cleaned.get("id_number_consent", True):
            # Consent withdrawn: the ID number goes with it.
            self.instance.id_number = ""
        if cleaned.get("new_mobile"):
            self.instance.mobile = cleaned["new_mobile"]
        return cleaned

    # Set by MemberAdmin.get_form: who fills the form in.
    request = None

    def _refuse_id_number(self, clash: Member) -> None:
        """One member per ID number (a unique constraint); how a clash is reported depends on
        who asks.

        Centre staff see every branch: they are told the number is taken and fix the records.
        A branch secretary sees only their own branches, and "another member already has this
        ID number" would answer "is this person a party member in some other branch?" for any
        number they type. They get one message, whichever branch the clash is in, that sends
        them to the centre staff and confirms nothing, and the refusal goes in the audit trail
        with the clashing record, so that typing numbers to test them shows up there. (Any
        refusal is still a hint, as the constraint must hold: what it no longer does is say
        so, and probing leaves a trail.)
        """
        user = getattr(self.request, "user", None)
        if user is None or sees_every_branch(user):
            self.add_error("new_id_number", _("Another member already has this ID number."))
            return
        record_event(
            AuditEvent.Kind.PERMISSION_DENIED,
            request=self.request,
            obj=clash,
            success=False,
            details={"reason": "id number already recorded", "member_id": self.instance.pk},
        )
        self.add_error(
            "new_id_number",
            _(
                "This ID number cannot be recorded here. If it is right, ask the centre staff "
                "to record it."
            ),
        )


@admin.register(Member)
class MemberAdmin(SheetAdmin):
    resource_classes = [MemberResource]
    form = MemberAdminForm
    list_display = (
        "name",
        "gender",
        "masked_mobile",
        "branch",
        "branch_kind",
        "status",
        "talent_programme",
        "employer",
        "has_login",
        "is_active",
    )
    # Related-only, as on every scoped list: the choices come from the rows the user may see,
    # so a secretary is offered their own branches, not every branch's name.
    list_filter = (
        ("branch", admin.RelatedOnlyFieldListFilter),
        "branch__kind",
        "status",
        "talent_programme",
        "talent_origin",
        "gender",
        "is_active",
        "id_number_consent",
    )
    search_fields = ("name", "name_pinyin", "=email")
    search_help_text = _(
        "Name, pinyin (wangxiaoming or wxm), a whole e-mail address or mobile number, or a "
        "masked mobile such as 138****5678."
    )
    list_select_related = ("branch", "employer", "user")
    autocomplete_fields = ("branch", "employer", "user")
    readonly_fields = ("mobile_on_file", "id_number_on_file")
    change_form_template = "admin/members/member/change_form.html"
    actions = ["invite_to_log_in"]
    fieldsets = (
        (None, {"fields": ("name", "gender", "branch", "status", "joined_on", "employer")}),
        (
            _("Contact"),
            {"fields": ("mobile_on_file", "new_mobile", "email", "user")},
        ),
        (
            _("Resident ID number"),
            {
                "fields": (
                    "id_number_consent",
                    "id_number_on_file",
                    "new_id_number",
                    "erase_id_number",
                )
            },
        ),
        (
            _("Talent programme and consent"),
            {"fields": ("talent_programme", "talent_origin", "ranking_consent", "is_active")},
        ),
    )

    # Branch secretaries: only their own branches' members; another id is a 404 and a record
    # (ScopedObjectMixin).
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Linking a login to a member record gives that login the member's pages: only those
        # who manage accounts do it (the invite action does it for a new account).
        if not request.user.has_perm("members.change_user"):
            fields = (*fields, "user")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "branch":
            kwargs["queryset"] = Branch.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request  # a class made for this request by modelform_factory
        return form

    def get_search_results(self, request, queryset, search_term):
        # A whole mobile, typed any way, matches exactly; never a part of one (see UserAdmin).
        mobile = normalize_mobile(search_term)
        if mobile:
            return queryset.filter(mobile=mobile), False
        match = _MASKED_MOBILE_QUERY.match(search_term.strip())
        if match:
            return (
                queryset.filter(mobile__startswith=match.group(1), mobile__endswith=match.group(2)),
                False,
            )
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj: Member) -> str:
        return mask_mobile(obj.mobile)

    @admin.display(description=_("branch kind"), ordering="branch__kind")
    def branch_kind(self, obj: Member) -> str:
        return obj.branch.get_kind_display()

    @admin.display(description=_("login"), boolean=True)
    def has_login(self, obj: Member) -> bool:
        return obj.user_id is not None

    @admin.display(description=_("mobile on file"))
    def mobile_on_file(self, obj: Member) -> str:
        return mask_mobile(obj.mobile) or "—"

    @admin.display(description=_("ID number on file"))
    def id_number_on_file(self, obj: Member) -> str:
        return mask_id_number(obj.id_number) or "—"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_reveal": bool(object_id) and request.user.has_perm("members.reveal_personal_data"),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "<id:object_id>/reveal/",
                self.admin_site.admin_view(require_POST(self.reveal_view)),
                name="members_member_reveal",
            ),
            *urls,
        ]

    def reveal_view(self, request, object_id: int):
        # Another branch's member: 404 and a permission-denied record, as on the change page.
        member = get_in_scope_or_404(self.get_queryset(request), request=request, pk=object_id)
        revealed = actions.reveal_personal_data(member=member, by=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Full personal data of %(name)s") % {"name": member.name},
            "member": member,
            "revealed": revealed,
        }
        response = TemplateResponse(request, "admin/members/member/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_invite_permission(self, request) -> bool:
        return request.user.has_perm("members.invite_member")

    @admin.action(
        description=_("Invite to log in (creates an account, sends a password link)"),
        permissions=["invite"],
    )
    def invite_to_log_in(self, request, queryset):
        invited = 0
        for member in queryset:
            try:
                actions.invite_member(member=member, by=request.user, request=request)
                invited += 1
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
        if invited:
            self.message_user(
                request,
                gettext("%(count)s member(s) invited.") % {"count": invited},
                messages.SUCCESS,
            )


@admin.register(PersonalDataReveal)
class PersonalDataRevealAdmin(admin.ModelAdmin):
    """Read-only record of every full reveal of personal data."""

    list_display = ("revealed_at", "revealer", "member_masked", "channel")
    list_filter = ("channel", "revealed_at")
    search_fields = ("member__name", "=revealed_by__email")
    list_select_related = ("member", "revealed_by")
    fields = ("revealed_at", "revealer", "member_masked", "member_id", "channel")
    readonly_fields = fields
    date_hierarchy = "revealed_at"
    actions = None

    # Names masked as in the audit trail; the ids say exactly who it was.
    @admin.display(description=_("revealed by"), ordering="revealed_by")
    def revealer(self, obj: PersonalDataReveal) -> str:
        return mask_name(str(obj.revealed_by))

    @admin.display(description=_("party member"), ordering="member__name")
    def member_masked(self, obj: PersonalDataReveal) -> str:
        return mask_name(obj.member.name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(AuditEvent, AuditEventAdmin)
