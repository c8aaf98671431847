"""Checks several rota use cases share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from members.refusals import Refused
from rota.models import manages_rota

if TYPE_CHECKING:
    from members.models import User


def check_manager(user: User | None) -> None:
    """Decisions for the centre (approve, reject, mark missed) need the manage permission."""
    if user is None or not manages_rota(user):
        raise Refused(_("Only centre staff can do this."), code="permission")
