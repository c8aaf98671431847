"""What members (and the accounts it owns) put in /me/export/ (registry: members.exports)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from members.audit import AuditEvent
from members.exports import exclude_from_export, register_export
from members.models import Branch, Invitation, Member, PersonalDataReveal, User


def _events_about(user, member) -> Q:
    """Audit events whose object is the caller's login or member record, whoever acted."""
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    if member is not None:
        about |= Q(content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk))
    return about


def register() -> None:
    from allauth.account.models import EmailAddress

    exclude_from_export(
        "members.Member.user",
        "the member record is the export's `member` section, with the decrypted ID number",
    )
    register_export(Branch, person=["secretary"], fields="name kind")
    register_export(PersonalDataReveal, person=["member"], fields="channel revealed_at")
    exclude_from_export(
        "members.PersonalDataReveal.revealed_by",
        "reveals a staff member made show other members' data",
    )
    register_export(
        AuditEvent,
        person=["user"],
        also=_events_about,
        fields="created_at kind ip_address object_repr success",
    )
    register_export(EmailAddress, person=["user"], fields="email verified primary")
    # The notices sub-app keeps its rows here too: the inbox and the channel choices.
    from members.notices.models import Notice, Preference

    register_export(Notice, person=["user"], fields="created_at kind subject body link read_at")
    register_export(Preference, person=["user"], fields="kind email sms")
    register_export(
        Invitation,
        person=["member", "user"],
        fields="sent_at expires_at accepted_at by_sms by_email",
    )
    exclude_from_export(
        "members.Invitation.sent_by", "invitations a staff member sent to other members"
    )
    exclude_from_export(
        "members.SheetJob.by",
        "sheets a staff member imported hold other people's records (and are removed within a "
        "day); the import itself is in the exported audit records",
    )
    exclude_from_export(
        "admin.LogEntry.user",
        "admin changes a staff member made to others' records; their own acts are in the "
        "portal's audit records (members.AuditEvent), which are exported",
    )
