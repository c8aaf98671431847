"""Score formulas: new weights start in a future month; one in force never changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from deqing_hub.models import ScoreFormula
from deqing_hub.ranking.cache import invalidate_cache
from members.refusals import Refused

if TYPE_CHECKING:
    # The portal's user (members.models.User) is an AbstractUser; this module reads members
    # only through members.queries, so it names the Django base class.
    from django.contrib.auth.models import AbstractUser


@transaction.atomic
def save_formula(*, formula: ScoreFormula, by: AbstractUser | None) -> ScoreFormula:
    """Save new weights that start in a future month; a formula in force is never edited."""
    if formula.pk is not None:
        stored = ScoreFormula.objects.select_for_update().get(pk=formula.pk)
        if stored.is_in_force:
            raise Refused(
                _("This formula is already in force and cannot be changed; add a new one."),
                code="in_force",
            )
    formula.full_clean()
    if formula.created_by_id is None:
        formula.created_by_id = by.pk if by is not None else None
    formula.save()
    transaction.on_commit(invalidate_cache)
    return formula
