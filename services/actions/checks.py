"""Who may act for an organisation in the services app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from members.refusals import Refused
from rota.models import Organisation
from services.querysets import sees_every_organisation

if TYPE_CHECKING:
    from members.models import User


def require_contact_or_staff(user: User, organisation: Organisation | None) -> None:
    """Refuse unless `user` is centre staff or a contact of `organisation`."""
    if sees_every_organisation(user) or (
        organisation is not None and organisation.has_contact(user)
    ):
        return
    raise Refused(
        _("Only the organisation's contacts or centre staff may do this."), code="forbidden"
    )
