"""Staff admin of the wish wall: the moderation queue with bulk verify / reject.

Statuses change only through `wishes.actions` (admin actions and the routing page), so every
decision is a `WishEvent` naming the staff member. Wishers are shown masked.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.admin_audit import ScopedObjectMixin
from members.masking import mask_mobile
from wishes import actions
from wishes.models import Claim, Invitation, StaffDigest, Wish, WishEvent, WishPhoto
from wishes.similarity import similar_wishes


def masked_user(user) -> str:
    if user is None:
        return ""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or mask_mobile(user.phone) or (user.email.split("@")[0][:2] + "***")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class WishPhotoInline(ReadOnlyInline):
    model = WishPhoto
    fields = ("preview", "event", "width", "height", "created_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj: WishPhoto):
        return format_html('<img src="{}" alt="" width="120">', obj.thumbnail.url)


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ("organisation", "promised_on", "created_at", "released_at", "release_reason")
    readonly_fields = fields


class WishEventInline(ReadOnlyInline):
    model = WishEvent
    fields = ("created_at", "kind", "actor_masked", "organisation", "text", "notified_at")
    readonly_fields = fields

    @admin.display(description=_("by"))
    def actor_masked(self, obj: WishEvent) -> str:
        return masked_user(obj.actor)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason told to the wishers"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "status",
        "wisher_masked",
        "created_at",
        "published_at",
        "overdue",
        "route_link",
    )
    list_filter = ("status", "category", "show_name", "auto_confirmed")
    search_fields = ("title", "text")
    list_select_related = ("category", "wisher")
    autocomplete_fields = ("wisher", "category")
    date_hierarchy = "created_at"
    readonly_fields = (
        "wisher_masked",
        "status",
        "rejection_reason",
        "evidence",
        "reopen_count",
        "published_at",
        "fulfilled_at",
        "confirmed_at",
        "auto_confirmed",
        "created_at",
        "updated_at",
        "route_link",
        "similar",
    )
    fields = ("title", "text", "category", "show_name", *readonly_fields)
    inlines = (WishPhotoInline, ClaimInline, WishEventInline)
    actions = ("verify_selected", "reject_selected")

    def has_add_permission(self, request) -> bool:
        return False  # wishes come from the submission form, with its photo checks

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue()

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Wish) -> bool:
        return bool(getattr(obj, "is_overdue", False))

    @admin.display(description=_("wisher"))
    def wisher_masked(self, obj: Wish) -> str:
        return masked_user(obj.wisher)

    @admin.display(description=_("routing"))
    def route_link(self, obj: Wish):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("wishes:wish_route", args=[obj.pk]),
            _("Suggest claimers"),
        )

    @admin.display(description=_("similar wishes"))
    def similar(self, obj: Wish):
        if not obj.pk:
            return ""
        rows = [
            (
                reverse("admin:wishes_wish_change", args=[other.pk]),
                other.title,
                other.get_status_display(),
            )
            for other, _score in similar_wishes(obj)
        ]
        if not rows:
            return _("None found")
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> ({})</li>', rows)
        )

    @admin.action(description=_("Verify and publish the selected wishes"))
    def verify_selected(self, request, queryset):
        done = 0
        for wish in queryset.filter(status=Wish.Status.SUBMITTED):
            try:
                actions.verify_wish(wish=wish, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{wish}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d wish published.", "%(count)d wishes published.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected wishes (with a reason)"))
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for wish in queryset:
                try:
                    actions.reject_wish(
                        wish=wish, by=request.user, reason=form.cleaned_data["reason"]
                    )
                except (ValidationError, PermissionDenied) as exc:
                    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    self.message_user(request, f"{wish}: {text}", messages.ERROR)
                else:
                    done += 1
            self.message_user(
                request,
                ngettext("%(count)d wish rejected.", "%(count)d wishes rejected.", done)
                % {"count": done},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/wishes/reject_wishes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject wishes"),
                "wishes": queryset,
                "form": form,
                "action": "reject_selected",
                "opts": self.model._meta,
            },
        )


@admin.register(Claim)
class ClaimAdmin(ScopedObjectMixin, admin.ModelAdmin):
    list_display = ("wish", "organisation", "promised_on", "created_at", "released_at")
    list_filter = ("released_at", "organisation")
    search_fields = ("wish__title", "organisation__name")
    list_select_related = ("wish", "organisation")
    autocomplete_fields = ("wish", "organisation", "claimed_by")
    readonly_fields = ("created_at", "released_at", "release_reason")

    def get_queryset(self, request):
        # Alliance contacts: their organisations' claims; others' ids are 404 (and recorded).
        return super().get_queryset(request).managed_by(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # claims are made on the wish page, through actions.claim_wish

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WishEvent)
class WishEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "wish", "kind", "actor_masked", "organisation", "notified_at")
    list_filter = ("kind",)
    search_fields = ("wish__title", "text")
    list_select_related = ("wish", "actor", "organisation")
    autocomplete_fields = ("wish", "actor", "organisation")
    date_hierarchy = "created_at"

    @admin.display(description=_("by"))
    def actor_masked(self, obj: WishEvent) -> str:
        return masked_user(obj.actor)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of decisions is kept


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("wish", "organisation", "created_at")
    list_filter = ("organisation",)
    search_fields = ("wish__title", "organisation__name")
    list_select_related = ("wish", "organisation")
    autocomplete_fields = ("wish", "organisation", "invited_by")

    def has_add_permission(self, request) -> bool:
        return False  # invitations go through the routing page (actions.invite_organisation)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WishPhoto)
class WishPhotoAdmin(admin.ModelAdmin):
    list_display = ("image", "wish", "event", "width", "height", "created_at")
    list_filter = ("created_at",)
    search_fields = ("wish__title",)
    list_select_related = ("wish", "event")
    autocomplete_fields = ("wish",)

    def has_add_permission(self, request) -> bool:
        return False  # photos are checked and re-encoded by the forms

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffDigest)
class StaffDigestAdmin(admin.ModelAdmin):
    list_display = ("sent_on", "waiting_count", "recipient_count", "created_at")
    list_filter = ("sent_on",)
    search_fields = ("sent_on",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
