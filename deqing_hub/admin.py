"""Staff admin of the ranking: formulas (editable until in force), totals and snapshots.

Attendance of the exchange meetings, which the yearly ranking counts, is rota data: rota.admin.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from deqing_hub import ranking
from deqing_hub.models import MemberMonthTotal, RankingSnapshot, ScoreFormula
from members.admin_base import ReadOnlyAdmin, truncated
from members.masking import account_label


class ScoreFormulaForm(forms.ModelForm):
    """A correction of future weights states its own reason: the audit record keeps both."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and self.has_changed() and "note" not in self.changed_data:
            self.add_error("note", _("Write the reason for this correction."))
        return cleaned


@admin.register(ScoreFormula)
class ScoreFormulaAdmin(admin.ModelAdmin):
    form = ScoreFormulaForm
    list_display = [
        "effective_from",
        *ScoreFormula.MONTHLY_COMPONENTS,
        "meeting",
        "in_force",
        "note",
        "set_by",
    ]
    search_fields = ["note"]
    list_select_related = ["created_by"]
    readonly_fields = ["set_by", "created_at"]
    exclude = ["created_by"]
    date_hierarchy = "effective_from"

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, obj: ScoreFormula) -> bool:
        return obj.is_in_force

    @admin.display(description=_("set by"))
    def set_by(self, obj: ScoreFormula) -> str:
        return account_label(obj.created_by)

    # Who may change weights: centre staff (the role's deqing_hub permissions). Every save and
    # delete here is an audit record with the weights before and after (members.audit_receivers),
    # and the reason is required. Closed months never move: a snapshot keeps its own copy of the
    # weights, a formula in force is view-only, new weights start in a future month (the
    # model's clean), and an in-force formula cannot be deleted.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_in_force:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_in_force:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # a bulk delete skips the in-force check above
        return found

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "note" in form.base_fields:
            form.base_fields["note"].required = True
        return form

    def save_model(self, request, obj, form, change):
        ranking.save_formula(formula=obj, by=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(ranking.invalidate_cache)


@admin.action(description=_("Refresh the totals of the selected months from the ledger"))
def refresh_selected_months(modeladmin, request, queryset):
    months = sorted(set(queryset.values_list("month", flat=True)))
    for month in months:
        ranking.refresh_member_totals(month=month)
    modeladmin.message_user(
        request,
        _("Refreshed %(count)d month(s); closed months keep the totals they were closed with.")
        % {"count": len(months)},
        messages.SUCCESS,
    )


@admin.register(MemberMonthTotal)
class MemberMonthTotalAdmin(ReadOnlyAdmin):
    """Derived from the points ledger by `ranking.refresh_member_totals`: read-only."""

    list_display = ["month", "member", "branch", "points", "entries", "refreshed_at"]
    list_filter = [("member__branch", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__name", "member__name_pinyin"]
    list_select_related = ["member", "member__branch"]
    date_hierarchy = "month"
    actions = [refresh_selected_months]

    @admin.display(description=_("branch"), ordering="member__branch__name")
    def branch(self, obj: MemberMonthTotal) -> str:
        return str(obj.member.branch)


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdmin):
    """Closed months, frozen with a content hash: written once by `ranking.close_month`."""

    list_display = ["month", "formula", "short_hash", "hash_ok", "published_at", "closed_by"]
    search_fields = ["content_hash"]
    list_select_related = ["formula", "published_by"]
    date_hierarchy = "month"
    fields = ["month", "formula", "content_hash", "hash_ok", "published_at", "closed_by", "payload"]

    @admin.display(description=_("content hash (SHA-256)"), ordering="content_hash")
    def short_hash(self, obj: RankingSnapshot):
        # 64 hex digits do not wrap: the list shows the start, the whole is on hover.
        return truncated(obj.content_hash)

    @admin.display(description=_("closed by"))
    def closed_by(self, obj: RankingSnapshot) -> str:
        return account_label(obj.published_by)

    @admin.display(boolean=True, description=_("hash matches"))
    def hash_ok(self, obj: RankingSnapshot) -> bool:
        return obj.hash_matches()
