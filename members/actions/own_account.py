"""The member's own account: contact details they change and the data export of /me/."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member, User
from members.phones import normalize_mobile
from members.refusals import Refused


@transaction.atomic
def change_contact_details(*, member: Member, email: str, mobile: str, by: User) -> Member:
    """Change the e-mail and mobile a member keeps in the roster (and the login mobile).

    Only these two fields: a member never changes branch, status or anything staff own. The
    caller has checked the password. The login e-mail stays under allauth's verified flow.
    """
    if member.user_id != by.pk:
        raise PermissionDenied(_("You may only change your own details."))
    clean_mobile = normalize_mobile(mobile) if mobile else ""
    if mobile and not clean_mobile:
        raise Refused(
            _("Enter an 11-digit mainland mobile number, such as 13812345678."),
            code="invalid_mobile",
            field="mobile",
        )
    if clean_mobile and clean_mobile != by.phone:
        if get_user_model().objects.filter(phone=clean_mobile).exclude(pk=by.pk).exists():
            raise Refused(
                _("Another account already uses this mobile number."),
                code="mobile_taken",
                field="mobile",
            )
        by.phone = clean_mobile
        by.phone_verified = False
        by.save(update_fields=["phone", "phone_verified"])
    member.email = email.strip()
    member.mobile = clean_mobile
    member.save(update_fields=["email", "mobile", "updated_at"])
    return member


def member_data_export(*, member: Member) -> dict:
    """Everything the portal keeps about a member, as JSON-ready data (for /me/export/)."""
    return {
        "name": member.name,
        "gender": member.get_gender_display(),
        "mobile": member.mobile,
        "email": member.email,
        "id_number": member.id_number,
        "id_number_consent": member.id_number_consent,
        "branch": member.branch.name,
        "party_status": member.get_status_display(),
        "joined_on": member.joined_on.isoformat() if member.joined_on else None,
        "employer": member.employer.name if member.employer else None,
        "talent_programme": member.get_talent_programme_display() or None,
        "talent_origin": member.get_talent_origin_display() or None,
        "ranking_consent": member.ranking_consent,
        "active": member.is_active,
        "created_at": member.created_at.isoformat(),
        "updated_at": member.updated_at.isoformat(),
    }
