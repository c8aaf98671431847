"""Staff admin of the wish wall: the moderation desk, claims, and the read-only records.

Statuses change only through `wishes.actions` (admin actions and the wish pages), so every
decision is a `WishEvent` naming the person. People are shown masked. Scopes come from the
models' QuerySet methods (`Wish.objects.managed_by`, `Claim.objects.managed_by`), the same
rules the public pages use; another scope's id is a 404 with an audit record.

Who sees what: centre staff everything; an alliance contact the claims of their own
organisations, in the Claim admin. The Wish admin is the moderation desk (unpublished wishes,
wishers, verify and reject), so contacts do not get it: they act on the wish page, which the
Claim admin links to.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from members.admin_base import (
    NoAddAdmin,
    ObjectStep,
    ObjectStepsMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ReasonForm,
    ScopedObjectMixin,
    SheetExportMixin,
    admin_page,
    apply_to_each,
    one_choice_filter,
    row_action,
    status_column,
    thumbnail,
    truncated,
)
from members.images import remove_files_after_commit
from members.masking import account_label
from wishes import actions
from wishes.models import Claim, Invitation, StaffDigest, Wish, WishEvent, WishPhoto
from wishes.sheets import ClaimResource, WishResource
from wishes.similarity import similar_wishes


class WishPhotoInline(ReadOnlyInline):
    model = WishPhoto
    fields = ("preview", "event", "width", "height", "created_at")

    @admin.display(description=_("photo"))
    def preview(self, obj: WishPhoto):
        return format_html('<img src="{}" alt="" width="120">', obj.thumbnail.url)


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ("organisation", "promised_on", "created_at", "released_at", "release_reason")


class WishEventInline(ReadOnlyInline):
    model = WishEvent
    fields = ("created_at", "kind", "actor_masked", "organisation", "text")
    select_related = ("actor", "organisation")

    @admin.display(description=_("by"))
    def actor_masked(self, obj: WishEvent) -> str:
        return account_label(obj.actor)


# Wishes waiting too long for a claim, or claimed and past the promised date.
OverdueFilter = one_choice_filter(
    _("overdue"), pgettext_lazy("wish", "Overdue"), parameter="overdue", pick=lambda w: w.overdue()
)


def _apply_with_reason(modeladmin, request, rows, act, done, *, action: str, **page):
    """An action that needs a reason: its confirmation page (the rows re-posted as selected,
    `page` gives its title, intro, button and the reason's label), then `act(row, reason)` on
    each row once a reason is given."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    form.fields["reason"].label = page.pop("label")
    if not form.is_valid():
        return admin_page(
            modeladmin,
            request,
            "admin/wishes/reason_action.html",
            rows=rows,
            form=form,
            action=action,
            **page,
        )
    reason = form.cleaned_data["reason"]
    apply_to_each(modeladmin, request, rows, lambda row: act(row, reason), done)
    return None


class WishAdminForm(forms.ModelForm):
    class Meta:
        model = Wish
        fields = ("title", "text", "category", "show_name")

    def clean_show_name(self) -> bool:
        # Showing the name is the wisher's consent: staff may hide it, never show it.
        show = self.cleaned_data["show_name"]
        if show and not (self.instance.pk and self.instance.show_name):
            raise ValidationError(
                _("Only the wisher may agree to show their name."), code="not_consented"
            )
        return show


# Where each status stands, for its coloured label in the list.
WISH_TONES: dict[str, str] = {
    Wish.Status.SUBMITTED: "waiting",
    Wish.Status.CHANGES_ASKED: "waiting",
    Wish.Status.PUBLISHED: "active",
    Wish.Status.CLAIMED: "active",
    Wish.Status.IN_PROGRESS: "active",
    Wish.Status.FULFILLED: "done",
    Wish.Status.CONFIRMED: "done",
    Wish.Status.REJECTED: "refused",
    Wish.Status.WITHDRAWN: "refused",
}


def _may_moderate(modeladmin, request, obj) -> bool:
    return actions.is_moderator(request.user)


class WishReasonForm(ReasonForm):
    def __init__(self, data=None, *, obj=None, **kwargs):
        super().__init__(data, obj=obj, **kwargs)
        self.fields["reason"].label = _("Reason told to the wisher")


class WishChangesForm(ReasonForm):
    def __init__(self, data=None, *, obj=None, **kwargs):
        super().__init__(data, obj=obj, **kwargs)
        self.fields["reason"].label = _("What the wisher should change")


@admin.register(Wish)
class WishAdmin(SheetExportMixin, ObjectStepsMixin, ScopedObjectMixin, NoAddAdmin):
    """The moderation desk. Wishes come from the submission form, with its photo checks.

    A wish waiting for verification shows its decision on its own page (verify, reject with
    a reason), the same actions the list's bulk actions call."""

    object_steps = (
        ObjectStep(
            "verify",
            _("Verify and publish"),
            applies=lambda wish: wish.status == Wish.Status.SUBMITTED,
            allowed=_may_moderate,
            act=lambda wish, user: actions.verify_wish(wish=wish, by=user),
            done=_("The wish is on the wall."),
        ),
        ObjectStep(
            "ask_for_changes",
            _("Ask for changes"),
            applies=lambda wish: wish.status == Wish.Status.SUBMITTED,
            allowed=_may_moderate,
            act=lambda wish, user, reason: actions.ask_for_changes(wish=wish, by=user, note=reason),
            done=_("The wish went back to the wisher, who is told what to change."),
            form=WishChangesForm,
        ),
        ObjectStep(
            "reject",
            _("Reject"),
            applies=lambda wish: (
                wish.status
                in (Wish.Status.SUBMITTED, Wish.Status.CHANGES_ASKED, Wish.Status.PUBLISHED)
            ),
            allowed=_may_moderate,
            act=lambda wish, user, reason: actions.reject_wish(wish=wish, by=user, reason=reason),
            done=_("The wish was rejected; the wisher is told the reason."),
            form=WishReasonForm,
            refuses=True,
        ),
    )

    resource_classes = [WishResource]
    form = WishAdminForm
    # What staff scan a row for, on one line at 1366 px: the photo, the wish, where it
    # stands, who asked, who took it on and by when. Routing is on the wish's own page.
    list_display = (
        "photo",
        "short_title",
        status_column(WISH_TONES),
        "category",
        "wisher_short",
        "claimers",
        "due_on",
        "created_on",
        "overdue",
    )
    list_display_links = ("photo", "short_title")
    list_filter = (
        "status",
        OverdueFilter,
        "category",
        ("claims__organisation", admin.RelatedOnlyFieldListFilter),
        "show_name",
        "auto_confirmed",
    )
    search_fields = ("title", "text")
    list_select_related = ("category", "wisher")
    autocomplete_fields = ("category",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "wisher_masked",
        "status",
        "rejection_reason",
        "changes_asked",
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
    # Staff may correct the words (a typo, a phone number written into the wish), never the
    # status: that moves only through the actions.
    fields = ("title", "text", "category", "show_name", *readonly_fields)
    inlines = (WishPhotoInline, ClaimInline, WishEventInline)
    actions = ("verify_selected", "reject_selected")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .managed_by(request.user)
            .with_overdue()
            .prefetch_related(
                Prefetch(
                    "claims",
                    queryset=Claim.objects.active().select_related("organisation"),
                    to_attr="active_claims",
                ),
                Prefetch(
                    "photos",
                    queryset=WishPhoto.objects.filter(event__isnull=True),
                    to_attr="wall_photos",
                ),
            )
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Its record of decisions (WishEvent) is kept, and claims, the public timeline and the
        # ranking hang on a wish: staff reject a wish, the wisher withdraws it.
        return False

    def has_moderate_permission(self, request) -> bool:
        return actions.is_moderator(request.user)

    @admin.display(description=_("photo"))
    def photo(self, obj: Wish):
        photos = getattr(obj, "wall_photos", [])
        return thumbnail(photos[0].thumbnail.url if photos else None)

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj: Wish):
        return truncated(obj.title, wide=True)

    @admin.display(description=_("wisher"))
    def wisher_short(self, obj: Wish):
        return truncated(account_label(obj.wisher))

    @admin.display(description=_("promised by"))
    def due_on(self, obj: Wish):
        dates = [claim.promised_on for claim in getattr(obj, "active_claims", [])]
        return min(dates) if dates else "—"

    @admin.display(description=_("created"), ordering="created_at")
    def created_on(self, obj: Wish):
        return timezone.localdate(obj.created_at)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Wish) -> bool:
        return bool(getattr(obj, "is_overdue", False))

    @admin.display(description=_("wisher"))
    def wisher_masked(self, obj: Wish) -> str:
        return account_label(obj.wisher)

    @admin.display(description=_("claiming organisations"))
    def claimers(self, obj: Wish):
        return truncated(
            "、".join(claim.organisation.name for claim in getattr(obj, "active_claims", []))
        )

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

    verify_selected = row_action(
        lambda wish, user: actions.verify_wish(wish=wish, by=user),
        ngettext_lazy("%(count)d wish published.", "%(count)d wishes published.", "count"),
        description=_("Verify and publish the selected wishes"),
        permissions=["moderate"],
        rows=lambda wishes: wishes.filter(status=Wish.Status.SUBMITTED),
    )

    @admin.action(
        description=_("Reject the selected wishes (with a reason)"), permissions=["moderate"]
    )
    def reject_selected(self, request, queryset):
        return _apply_with_reason(
            self,
            request,
            queryset,
            lambda wish, reason: actions.reject_wish(wish=wish, by=request.user, reason=reason),
            ngettext_lazy("%(count)d wish rejected.", "%(count)d wishes rejected.", "count"),
            action="reject_selected",
            title=_("Reject wishes"),
            intro=_("These wishes will be rejected and their wishers told the reason:"),
            button=_("Reject"),
            label=_("Reason told to the wishers"),
        )


class ReleasedFilter(admin.SimpleListFilter):
    title = _("claim")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [
            ("yes", pgettext_lazy("claim", "Active")),
            ("no", pgettext_lazy("claim", "Released")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.filter(released_at__isnull=False)
        return queryset


# Claims past their promised date while the wish is still being worked on.
OverdueClaimFilter = one_choice_filter(
    _("overdue"),
    pgettext_lazy("claim", "Past the promised date"),
    parameter="overdue",
    pick=lambda claims: claims.overdue(),
)


@admin.register(Claim)
class ClaimAdmin(SheetExportMixin, ObjectStepsMixin, ScopedObjectMixin, ReadOnlyAdmin):
    """Claims are made on the wish page (actions.claim_wish) and never edited or deleted here:
    a deleted claim would leave its wish "claimed" by nobody; staff release it instead (on
    the claim's page or with the list's bulk action)."""

    object_steps = (
        ObjectStep(
            "release",
            pgettext_lazy("claim", "Release"),
            applies=lambda claim: claim.is_active,
            allowed=_may_moderate,
            act=lambda claim, user, reason: actions.release_claim(
                claim=claim, by=user, reason=reason
            ),
            done=_("The claim was released."),
            form=ReasonForm,
            refuses=True,
        ),
    )

    def state_label(self, obj: Claim) -> str:
        if not obj.is_active:
            return str(pgettext_lazy("claim", "Released"))
        return obj.wish.get_status_display()

    resource_classes = [ClaimResource]
    list_display = (
        "wish",
        "wish_status",
        "organisation",
        "promised_on",
        "created_at",
        "released_at",
        "wish_page",
    )
    list_filter = (
        OverdueClaimFilter,
        ReleasedFilter,
        "wish__status",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("wish__title", "organisation__name", "organisation__short_name")
    list_select_related = ("wish", "organisation")
    date_hierarchy = "created_at"
    fields = (
        "wish",
        "wish_status",
        "wish_page",
        "organisation",
        "promised_on",
        "claimed_by_masked",
        "created_at",
        "released_at",
        "release_reason",
    )
    actions = ("release_selected",)

    def get_queryset(self, request):
        # Alliance contacts: their organisations' claims; others' ids are 404 (and recorded).
        return super().get_queryset(request).managed_by(request.user)

    def has_release_permission(self, request) -> bool:
        return actions.is_moderator(request.user)

    @admin.display(description=_("status of the wish"), ordering="wish__status")
    def wish_status(self, obj: Claim) -> str:
        return obj.wish.get_status_display()

    @admin.display(description=_("wish page"))
    def wish_page(self, obj: Claim):
        # Where claimers post updates, report fulfilment or release the claim.
        return format_html(
            '<a href="{}">{}</a>',
            reverse("wishes:wish_detail", args=[obj.wish_id]),
            _("Open the wish page"),
        )

    @admin.display(description=_("claimed by"))
    def claimed_by_masked(self, obj: Claim) -> str:
        return account_label(obj.claimed_by)

    @admin.action(
        description=_("Release the selected claims (with a reason)"), permissions=["release"]
    )
    def release_selected(self, request, queryset):
        """Centre staff release claims an organisation no longer works on; the wish returns
        to the wall when no claim is left (actions.release_claim)."""
        return _apply_with_reason(
            self,
            request,
            queryset.active().select_related("wish", "organisation"),
            lambda claim, reason: actions.release_claim(
                claim=claim, by=request.user, reason=reason
            ),
            ngettext_lazy("%(count)d claim released.", "%(count)d claims released.", "count"),
            action="release_selected",
            title=_("Release claims"),
            intro=_("These claims will be released; the reason is shown on each wish's timeline:"),
            button=pgettext_lazy("claim", "Release"),
            label=_("Reason shown on the wish's timeline"),
        )


@admin.register(WishEvent)
class WishEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "wish", "kind", "actor_masked", "organisation")
    list_filter = ("kind", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("wish__title", "text")
    list_select_related = ("wish", "actor", "organisation")
    date_hierarchy = "created_at"
    fields = ("created_at", "wish", "kind", "actor_masked", "organisation", "text")

    @admin.display(description=_("by"))
    def actor_masked(self, obj: WishEvent) -> str:
        return account_label(obj.actor)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are made on the routing page (actions.invite_organisation) and kept."""

    list_display = ("wish", "organisation", "invited_by_masked", "created_at")
    list_filter = (("organisation", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("wish__title", "organisation__name", "organisation__short_name")
    list_select_related = ("wish", "organisation", "invited_by")
    date_hierarchy = "created_at"
    fields = ("wish", "organisation", "invited_by_masked", "created_at")

    @admin.display(description=_("invited by"))
    def invited_by_masked(self, obj: Invitation) -> str:
        return account_label(obj.invited_by)


@admin.register(WishPhoto)
class WishPhotoAdmin(NoAddAdmin):
    """Photos are checked and re-encoded by the forms; staff may only take one down."""

    list_display = ("preview", "wish", "event", "width", "height", "created_at")
    list_filter = ("created_at",)
    search_fields = ("wish__title",)
    list_select_related = ("wish", "event")
    date_hierarchy = "created_at"
    fields = ("preview", "wish", "event", "position", "width", "height", "created_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj: WishPhoto):
        return format_html('<img src="{}" alt="" width="80">', obj.thumbnail.url)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: WishPhoto) -> None:
        self.delete_queryset(request, WishPhoto.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        # A photo taken down must not stay reachable at its address: its files go too, once
        # the deletion is committed (a rolled-back delete keeps them).
        remove_files_after_commit(list(queryset), using=queryset.db)
        super().delete_queryset(request, queryset)


@admin.register(StaffDigest)
class StaffDigestAdmin(ReadOnlyAdmin):
    """One row per day the waiting-wishes digest went out: the task's record, kept as it is."""

    list_display = ("sent_on", "waiting_count", "recipient_count", "created_at")
    date_hierarchy = "sent_on"
    fields = ("sent_on", "waiting_count", "recipient_count", "created_at")
