"""Staff admin of the ranking: formulas (editable until in force), totals and snapshots.

Attendance of the exchange meetings, which the yearly ranking counts, is rota data: rota.admin.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from deqing_hub import ranking
from deqing_hub.models import MemberMonthTotal, RankingSnapshot, ScoreFormula


@admin.register(ScoreFormula)
class ScoreFormulaAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "duty_week",
        "duty_report",
        "service_record",
        "wish_fulfilled",
        "wish_confirmed",
        "activity",
        "rating_star",
        "meeting",
        "in_force",
        "created_by",
    ]
    list_filter = ["effective_from"]
    search_fields = ["note"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "effective_from"

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, obj: ScoreFormula) -> bool:
        return obj.is_in_force

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_in_force:
            # Once its month has begun a formula is history: never edited, never rescored.
            return [f.name for f in obj._meta.fields if f.name != "id"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_in_force:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        ranking.save_formula(formula=obj, by=request.user)


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
class MemberMonthTotalAdmin(admin.ModelAdmin):
    list_display = ["month", "member", "branch", "points", "entries", "refreshed_at"]
    list_filter = ["month", "member__branch"]
    search_fields = ["member__name", "member__name_pinyin"]
    list_select_related = ["member", "member__branch"]
    autocomplete_fields = ["member"]
    actions = [refresh_selected_months]

    @admin.display(description=_("branch"), ordering="member__branch__name")
    def branch(self, obj: MemberMonthTotal) -> str:
        return str(obj.member.branch)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(admin.ModelAdmin):
    list_display = ["month", "formula", "content_hash", "hash_ok", "published_at", "published_by"]
    list_filter = ["published_at"]
    search_fields = ["content_hash"]
    list_select_related = ["formula", "published_by"]
    autocomplete_fields = ["formula"]
    date_hierarchy = "month"

    @admin.display(boolean=True, description=_("hash matches"))
    def hash_ok(self, obj: RankingSnapshot) -> bool:
        return obj.hash_matches()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
