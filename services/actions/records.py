"""Service records: what an organisation delivered, from the form, a request or a sheet."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, NotRequired, TypedDict, Unpack

from django.utils import timezone
from django.utils.translation import gettext as _

from members.images import CleanPhoto, files_removed_on_rollback
from members.refusals import Refused
from rota.models import DutyWeek, Organisation
from services.models import RecordPhoto, Service, ServiceRecord, ServiceRequest
from services.querysets import sees_every_organisation

if TYPE_CHECKING:
    from members.models import User


def duty_week_for(day: datetime.date) -> DutyWeek | None:
    """The duty week (Monday to Sunday) containing `day`, if one was held."""
    return DutyWeek.objects.containing(day)


class RecordFacts(TypedDict):
    """What a service record states: which service, by whom, when, for how many people."""

    service: Service
    organisation: Organisation
    delivered_on: datetime.date
    people_served: int
    by: User
    notes: NotRequired[str]


def record_service(
    *, photos: Sequence[CleanPhoto] = (), **facts: Unpack[RecordFacts]
) -> ServiceRecord:
    """Record a delivered service; it counts in "services delivered" and the ranking.

    `photos` come checked and re-encoded from the form (`members.images`). Opens its own
    transaction, whose photo files are removed if it rolls back: never nest it.
    """
    with files_removed_on_rollback() as files:
        record = create_record(**facts)
        files.save_photos(photos, lambda: RecordPhoto(record=record))
    return record


def create_record(
    *,
    service: Service,
    organisation: Organisation,
    delivered_on: datetime.date,
    people_served: int,
    by: User,
    notes: str = "",
    request: ServiceRequest | None = None,
) -> ServiceRecord:
    """Check and save a record, without photos, in the caller's transaction."""
    check_record(
        service=service,
        organisation=organisation,
        delivered_on=delivered_on,
        people_served=people_served,
        by=by,
        request=request,
    )
    return ServiceRecord.objects.create(
        service=service,
        organisation=organisation,
        delivered_on=delivered_on,
        duty_week=duty_week_for(delivered_on),
        people_served=people_served,
        notes=notes.strip(),
        request=request,
        recorded_by=by,
    )


def check_record(
    *,
    service: Service,
    organisation: Organisation,
    delivered_on: datetime.date,
    people_served: int,
    by: User | None,
    request: ServiceRequest | None = None,
) -> None:
    """The rules every record keeps, wherever it comes from (the form, a completed request,
    the staff's spreadsheet import). Raises `Refused` whose code names the rule:
    forbidden, not_provider, future or people."""
    if by is not None and not sees_every_organisation(by) and not organisation.has_contact(by):
        raise Refused(
            _("Only the organisation's contacts or centre staff may record its services."),
            code="forbidden",
        )
    # A completed request was checked when it was dispatched; the provider list may change since.
    if request is None and not service.providers.filter(pk=organisation.pk).exists():
        raise Refused(
            _("%(organisation)s does not provide “%(service)s”.")
            % {"organisation": organisation, "service": service},
            code="not_provider",
        )
    if delivered_on > timezone.localdate():
        raise Refused(_("A service cannot be recorded before it happens."), code="future")
    if people_served < 1:
        raise Refused(_("At least one person must have been served."), code="people")
