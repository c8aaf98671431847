"""Personal data: revealing a member's full mobile and ID number, storing the ID number."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from members.models import Member, PersonalDataReveal, User
from members.refusals import Refused

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevealedData:
    mobile: str
    id_number: str


@transaction.atomic
def reveal_personal_data(
    *, member: Member, by: User, channel: str = PersonalDataReveal.Channel.ADMIN
) -> RevealedData:
    """Return a member's full mobile and ID number and record who saw them, when."""
    if not by.has_perm("members.reveal_personal_data"):
        raise PermissionDenied(_("You may not see full ID numbers and mobiles."))
    if not Member.objects.visible_to(by).filter(pk=member.pk).exists():
        raise PermissionDenied(_("This member is not in a branch you manage."))
    PersonalDataReveal.objects.create(member=member, revealed_by=by, channel=channel)
    logger.info("members.reveal", extra={"member_id": member.pk, "user_id": by.pk})
    return RevealedData(mobile=member.mobile, id_number=member.id_number)


@transaction.atomic
def set_id_number(*, member: Member, id_number: str, consent: bool, by: User) -> Member:
    """Store (or with an empty value, erase) a member's ID number; needs the member's consent."""
    from members.validators import normalize_id_number, validate_id_number

    if not by.has_perm("members.change_member") or not (
        Member.objects.visible_to(by).filter(pk=member.pk).exists()
    ):
        raise PermissionDenied(_("This member is not in a branch you manage."))
    number = normalize_id_number(id_number)
    if number:
        if not consent:
            raise Refused(
                _("Collect the ID number only with the member's separate consent."),
                code="consent_required",
                field="id_number",
            )
        try:
            validate_id_number(number)
        except ValidationError as exc:
            raise Refused(
                " ".join(exc.messages),
                code=getattr(exc, "code", None) or "invalid_id_number",
                field="id_number",
            ) from exc
    member.id_number_consent = consent and bool(number)
    member.id_number = number
    duplicate = Refused(
        _("Another member already has this ID number."), code="id_number_taken", field="id_number"
    )
    if (
        number
        and Member.objects.filter(id_number_digest=member.id_number_digest)
        .exclude(pk=member.pk)
        .exists()
    ):
        raise duplicate
    try:
        # A concurrent writer of the same number is stopped by the unique digest constraint.
        with transaction.atomic():
            member.save(
                update_fields=[
                    "id_number_consent",
                    "id_number_encrypted",
                    "id_number_digest",
                    "updated_at",
                ]
            )
    except IntegrityError:
        raise duplicate from None
    return member
