"""Staff admin of the party's records: enterprises, branches and members (Excel too).

Importing this module registers the rest of members' admin: accounts, roles and e-mail
addresses (admin_accounts), lockouts and login logs (admin_logins), periodic tasks
(admin_schedule) and the audit trail (admin_audit). The building blocks every app's admin uses
are in admin_base.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

# Each registers the admin of one concern when imported.
import members.admin_accounts
import members.admin_audit
import members.admin_logins
import members.admin_schedule  # noqa: F401
from members import actions, page_cache
from members.accounts import MobileField
from members.admin_base import (
    OwnPagesMixin,
    RelatedSelectFilter,
    SheetAdmin,
    admin_page,
    row_action,
)
from members.audit import get_in_scope_or_404, record_event
from members.masking import account_label, mask_id_number, mask_mobile
from members.models import AuditEvent, Branch, Enterprise, Member
from members.phones import normalize_mobile
from members.querysets import sees_every_branch
from members.sheets.roll import BranchResource, EnterpriseResource, MemberResource
from members.text import CleanCharFormField
from members.validators import normalize_credit_code, normalize_id_number, validate_id_number

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _EnterpriseCounts(TypedDict):
    n_members: int


class _BranchCounts(TypedDict):
    n_enterprises: int
    n_members: int


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
            *Member.ROLL_FIELDS,
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
class MemberAdmin(OwnPagesMixin, SheetAdmin):
    own_pages = (("<id:object_id>/reveal/", "reveal_view", "reveal"),)
    resource_classes = [MemberResource]
    form = MemberAdminForm
    # At county scale (10,000 members, 210 branches) this list rendered 100 rows x 10 columns
    # and a link per branch. Now: the columns staff scan for (who, which branch, reachable,
    # active); gender, branch kind and talent programme stay as filters and on the change page.
    list_display = (
        "name",
        "masked_mobile",
        "branch",
        "status",
        "employer",
        "has_login",
        "is_active",
    )
    list_per_page = 50
    # Stored per account under the pages' version (members.page_cache.own_page): 85 ms to
    # render at county scale, and every row it shows (member, branch, employer, login) moves
    # the version when saved. A page of a search or a filter is stored under its own query.
    changelist_view = method_decorator(page_cache.own_page())(SheetAdmin.changelist_view)
    # "50 of 10,000" needs a second COUNT over every member the user may see; the filtered
    # count alone is enough to page through.
    show_full_result_count = False
    # The branch filter is one drop-down of the branches the user may see (a secretary is
    # offered their own branches, not every branch's name), not a link per branch.
    list_filter = (
        ("branch", RelatedSelectFilter),
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
    actions = ["invite_to_log_in", "resend_invitation"]
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

    def action_checkbox(self, obj: Member):
        # The same <input> Django draws through a widget template, joined directly: with 50
        # rows the per-row widget rendering was a noticeable part of this list's time.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj: Member) -> str:
        return mask_mobile(obj.mobile)

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

    @method_decorator(require_POST)
    def reveal_view(self, request, object_id: int):
        # Another branch's member: 404 and a permission-denied record, as on the change page.
        member = get_in_scope_or_404(self.get_queryset(request), request=request, pk=object_id)
        revealed = actions.reveal_personal_data(member=member, by=request.user)
        response = admin_page(
            self,
            request,
            "admin/members/member/reveal.html",
            title=gettext("Full personal data of %(name)s") % {"name": member.name},
            member=member,
            revealed=revealed,
        )
        response["Cache-Control"] = "no-store"
        return response

    def has_invite_permission(self, request) -> bool:
        return request.user.has_perm("members.invite_member")

    # The refusals name the member: no row label before them.
    invite_to_log_in = row_action(
        lambda member, user: actions.invite_member(member=member, by=user),
        _("%(count)s member(s) invited."),
        description=_("Invite to open an account (by SMS and/or e-mail)"),
        permissions=["invite"],
        label=None,
    )
    resend_invitation = row_action(
        lambda member, user: actions.resend_invitation(member=member, by=user),
        _("%(count)s invitation(s) sent again."),
        description=_("Re-send the invitation (the earlier links stop working)"),
        permissions=["invite"],
        label=None,
    )
