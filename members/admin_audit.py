"""The admin of the audit trail and of the personal-data reveal log: read-only for everyone.

Nobody adds, edits or deletes a record here, superusers included (members.audit); names are
masked as in the records, the ids say exactly who it was.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.admin_base import ReadOnlyAdmin
from members.audit import AuditEvent, mask_name
from members.models import Invitation, Member, PersonalDataReveal


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "local_time",
        "kind",
        "actor",
        "username",
        "ip_address",
        "content_type",
        "object_repr",
        "success",
    )
    list_filter = ("kind", "success", "created_at", "content_type")
    search_fields = ("object_repr", "=user__email", "=user__username", "ip_address", "username")
    list_select_related = ("user", "content_type")
    date_hierarchy = "created_at"
    # The list's columns with the object's id and the details.
    fields = (*list_display[:6], "object_id", *list_display[6:], "details")

    @admin.display(description=_("user"), ordering="user")
    def actor(self, obj: AuditEvent) -> str:
        """Masked like every name in the records (王**, m***@example.cn); the id says who."""
        if obj.user_id is None:
            return "—"
        return f"{mask_name(str(obj.user))} (#{obj.user_id})"

    @admin.display(description=_("time"), ordering="created_at")
    def local_time(self, obj: AuditEvent) -> str:
        """The time in the portal's zone, with the zone, e.g. 2026-11-26 16:05:09 CST (+0800)."""
        return timezone.localtime(obj.created_at).strftime("%Y-%m-%d %H:%M:%S %Z (%z)")


@admin.register(PersonalDataReveal)
class PersonalDataRevealAdmin(ReadOnlyAdmin):
    """Every full reveal of personal data."""

    list_display = ("revealed_at", "revealer", "member_masked", "channel")
    list_filter = ("channel", "revealed_at")
    search_fields = ("member__name", "=revealed_by__email")
    list_select_related = ("member", "revealed_by")
    fields = ("revealed_at", "revealer", "member_masked", "member_id", "channel")
    date_hierarchy = "revealed_at"

    @admin.display(description=_("revealed by"), ordering="revealed_by")
    def revealer(self, obj: PersonalDataReveal) -> str:
        return mask_name(str(obj.revealed_by))

    @admin.display(description=_("party member"), ordering="member__name")
    def member_masked(self, obj: PersonalDataReveal) -> str:
        return mask_name(obj.member.name)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations to open an account; staff re-send them from the member list."""

    list_display = (
        "sent_at",
        "member_masked",
        "sender",
        "by_sms",
        "by_email",
        "expires_at",
        "accepted_at",
    )
    list_filter = ("by_sms", "by_email", "sent_at")
    search_fields = ("member__name",)
    list_select_related = ("member", "sent_by")
    fields = list_display
    date_hierarchy = "sent_at"

    def get_queryset(self, request):
        # Only invitations to members in the branches this person manages.
        return (
            super().get_queryset(request).filter(member__in=Member.objects.visible_to(request.user))
        )

    @admin.display(description=_("sent by"), ordering="sent_by")
    def sender(self, obj: Invitation) -> str:
        return mask_name(str(obj.sent_by)) if obj.sent_by_id else "—"

    @admin.display(description=_("party member"), ordering="member__name")
    def member_masked(self, obj: Invitation) -> str:
        return mask_name(obj.member.name)
