"""The notice outbox in the admin: what was sent, what waits, why a row failed, and retry."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from members.admin_base import ReadOnlyAdmin, status_column, truncated
from members.notices import actions
from members.notices.models import Delivery, Notice, Preference

DELIVERY_TONES = {
    "pending": "waiting",
    "sending": "active",
    "sent": "done",
    "failed": "refused",
    "skipped": "waiting",
}


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """A log, read-only: the one thing staff do is send failed rows again (the action).

    The text is not shown in the list: it may name the person it went to.
    """

    list_display = (
        "created_at",
        "kind",
        "channel",
        status_column(DELIVERY_TONES),
        "attempts",
        "sent_at",
        "error",
    )
    list_filter = ("status", "channel", "notice__kind")
    search_fields = ("last_error", "notice__event")
    list_select_related = ("notice",)
    date_hierarchy = "created_at"
    actions = ["retry"]
    exclude = ("body", "subject")

    @admin.display(description=_("kind"), ordering="notice__kind")
    def kind(self, obj: Delivery) -> str:
        return obj.notice.kind

    @admin.display(description=_("last error"))
    def error(self, obj: Delivery):
        return truncated(obj.last_error)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notices.change_delivery")

    @admin.action(description=_("Send failed deliveries again"), permissions=["retry"])
    def retry(self, request, queryset):
        count = actions.retry_failed_deliveries(
            ids=list(queryset.values_list("pk", flat=True)), by=request.user
        )
        self.message_user(request, _("%(count)s deliveries queued again.") % {"count": count})


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """The inbox copies (read-only). Texts are in the people's own inboxes, not listed here."""

    list_display = ("created_at", "kind", "event", "user", "audience", "read_at")
    list_filter = ("kind", "audience")
    search_fields = ("event",)
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    exclude = ("body", "subject", "link")


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "email", "sms")
    list_filter = ("kind",)
    list_select_related = ("user",)
