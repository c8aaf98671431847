"""Read queries the services app offers to the apps above it (wishes, deqing_hub).

Each returns plain values or a QuerySet built in one or two queries, whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.db.models import Min, QuerySet
from django.utils import timezone

from rota.models import Organisation
from services.models import (
    Activity,
    Attendance,
    Category,
    Service,
    ServiceRecord,
    ServiceRequest,
    SignUp,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from members.models import Member, User


def providers_for_category(category: Category) -> QuerySet[Organisation]:
    """Active organisations providing at least one active service of `category`."""
    offering = Service.providers.through.objects.filter(
        service__category=category, service__is_active=True
    ).values("organisation_id")
    return Organisation.objects.filter(is_active=True, pk__in=offering).order_by("name")


# The models whose rows the home dashboard counts or shows: saving or deleting one moves its
# cached figures on (members.figures_version, registered by deqing_hub at start-up).
DASHBOARD_MODELS = (ServiceRecord,)


def service_records_count() -> int:
    """Services delivered so far (the article's "160+ services"): what `delivered_services`
    lists."""
    return ServiceRecord.objects.count()


def delivered_services() -> QuerySet[ServiceRecord]:
    """Every service record, newest first, with the service and the organisation: date, names
    and the number of people served only (notes may name people, so they stay out)."""
    return (
        ServiceRecord.objects.select_related("service", "organisation")
        .only("pk", "delivered_on", "people_served", "service__title", "organisation__name")
        .order_by("-delivered_on", "-pk")
    )


def me_panel_context(request: HttpRequest, member: Member | None) -> dict:
    """The /me/ panel's context (members.panels): a login without a member record sees its
    requests only."""
    if member is not None:
        return member_home(member)
    requests = (
        ServiceRequest.objects.filter(requester_id=request.user.pk)
        .select_related("service", "organisation")
        .order_by("-created_at", "-pk")[:10]
    )
    return {
        "services_requests": list(requests),
        "services_signups": [],
        "services_attendances": [],
    }


def member_home(member: Member) -> dict:
    """Context for `services/includes/me_panel.html`: my requests, the activities I am signed
    up for that have not ended yet (soonest first: what a member opens /me/ to check), and my
    attendance (where past activities show). Three queries, ten rows each at most.
    """
    user_id = member.user_id
    requests = (
        ServiceRequest.objects.filter(requester_id=user_id)
        .select_related("service", "organisation")
        .order_by("-created_at", "-pk")[:10]
        if user_id
        else ServiceRequest.objects.none()
    )
    signups = (
        SignUp.objects.active()
        .filter(member=member, activity__ends_at__gt=timezone.now())
        .select_related("activity")
        .order_by("activity__starts_at", "pk")[:10]
    )
    attendances = (
        Attendance.objects.filter(member=member)
        .select_related("activity")
        .order_by("-checked_in_at", "-pk")[:10]
    )
    return {
        "services_requests": list(requests),
        "services_signups": list(signups),
        "services_attendances": list(attendances),
    }


def record_ids_by_organisation(start: dt.date, end: dt.date) -> dict[int, list[int]]:
    """{organisation id: [service record ids]} delivered in [start, end) - a ranking breakdown."""
    found: dict[int, list[int]] = {}
    rows = ServiceRecord.objects.filter(delivered_on__gte=start, delivered_on__lt=end)
    for pk, org_id in rows.order_by("pk").values_list("pk", "organisation_id"):
        found.setdefault(org_id, []).append(pk)
    return found


def activity_ids_by_organisation(start: dt.datetime, end: dt.datetime) -> dict[int, list[int]]:
    """{organisation id: [published activity ids]} of activities starting in [start, end)."""
    found: dict[int, list[int]] = {}
    rows = Activity.objects.published().filter(starts_at__gte=start, starts_at__lt=end)
    for pk, org_id in rows.values_list("pk", "organisation_id"):
        found.setdefault(org_id, []).append(pk)
    return found


def ratings_by_organisation(
    start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[int, int]]]:
    """{organisation id: [(request id, stars)]} of the requests rated in [start, end)."""
    found: dict[int, list[tuple[int, int]]] = {}
    rows = ServiceRequest.objects.filter(
        rating__isnull=False, rated_at__gte=start, rated_at__lt=end, organisation__isnull=False
    )
    for pk, org_id, rating in rows.values_list("pk", "organisation_id", "rating"):
        found.setdefault(org_id, []).append((pk, cast(int, rating)))  # rated: never null
    return found


def service_records_with_ids(ids: Iterable[int]) -> list[ServiceRecord]:
    """The given service records with their services, in the default order (a breakdown)."""
    return list(ServiceRecord.objects.filter(pk__in=list(ids)).select_related("service"))


def activities_with_ids(ids: Iterable[int]) -> list[Activity]:
    """The given activities, in the default order (a ranking breakdown)."""
    return list(Activity.objects.filter(pk__in=list(ids)))


def rated_requests_with_ids(ids: Iterable[int]) -> list[ServiceRequest]:
    """The given service requests with their services, in the default order (a breakdown)."""
    return list(ServiceRequest.objects.filter(pk__in=list(ids)).select_related("service"))


def first_delivery_date() -> dt.date | None:
    """The day the earliest service was delivered, None before any."""
    first: dt.date | None = ServiceRecord.objects.aggregate(m=Min("delivered_on"))["m"]
    return first


# --- The staff workspace: what waits, within the user's admin scope ----------------------------


def requests_to_dispatch_count(user: User) -> int:
    """New requests no organisation has been given yet (centre staff dispatch them)."""
    return (
        ServiceRequest.objects.managed_by(user)
        .filter(status=ServiceRequest.Status.REQUESTED)
        .count()
    )


def overdue_requests_count(user: User) -> int:
    """Requests nobody answered in time (the ServiceRequest admin's overdue filter)."""
    return ServiceRequest.objects.managed_by(user).overdue().count()
