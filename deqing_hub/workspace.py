"""The staff workspace (工作台): the admin's first page lists what waits for the signed-in user.

Each queue counts rows within the user's admin scope (the apps' queries, which use the same
scoped QuerySet methods as the admin) and links to the changelist filtered to exactly those
rows. A queue is shown only to users who may open that changelist, so each role sees its own:
centre staff everything, an alliance contact their organisations' claims, requests and duty
weeks, an exchange-point operator their points' vouchers and stock, an auditor the lockouts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import queries as members_queries
from members.notices import queries as notices_queries
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries
from wishes import queries as wishes_queries

if TYPE_CHECKING:
    import datetime as dt

    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class QueueSpec:
    key: str
    label: StrOrPromise
    permission: str  # to open the changelist (and, for decisions, to take them)
    changelist: str  # admin URL name of the list the queue opens
    query: str  # the changelist's filter that lists exactly the counted rows
    count: Callable[[Any, dt.date], int]  # (the signed-in user, today)


@dataclass(frozen=True)
class Queue:
    key: str
    label: StrOrPromise
    count: int
    url: str


QUEUES = (
    QueueSpec(
        "wishes_to_verify",
        _("Wishes to verify"),
        "wishes.moderate_wish",
        "admin:wishes_wish_changelist",
        "status__exact=submitted",
        lambda user, today: wishes_queries.wishes_to_verify_count(user),
    ),
    QueueSpec(
        "overdue_wishes",
        _("Overdue wishes"),
        "wishes.view_wish",
        "admin:wishes_wish_changelist",
        "overdue=yes",
        lambda user, today: wishes_queries.overdue_wishes_count(user),
    ),
    QueueSpec(
        "overdue_claims",
        _("Claims past the promised date"),
        "wishes.view_claim",
        "admin:wishes_claim_changelist",
        "overdue=yes",
        lambda user, today: wishes_queries.overdue_claims_count(user),
    ),
    QueueSpec(
        "requests_to_dispatch",
        _("Service requests to dispatch"),
        "services.change_servicerequest",
        "admin:services_servicerequest_changelist",
        "status__exact=requested",
        lambda user, today: services_queries.requests_to_dispatch_count(user),
    ),
    QueueSpec(
        "overdue_requests",
        _("Service requests not answered in time"),
        "services.view_servicerequest",
        "admin:services_servicerequest_changelist",
        "overdue=yes",
        lambda user, today: services_queries.overdue_requests_count(user),
    ),
    QueueSpec(
        "swaps_to_approve",
        _("Duty swaps to approve"),
        "rota.manage_rota",
        "admin:rota_swaprequest_changelist",
        "status__exact=accepted",
        lambda user, today: rota_queries.swaps_to_approve_count(user),
    ),
    QueueSpec(
        "unacknowledged_weeks",
        _("Duty weeks not acknowledged"),
        "rota.view_dutyweek",
        "admin:rota_dutyweek_changelist",
        "unacknowledged=yes",
        rota_queries.unacknowledged_weeks_count,
    ),
    QueueSpec(
        "reports_missing",
        _("Duty reports missing"),
        "rota.view_dutyweek",
        "admin:rota_dutyweek_changelist",
        "report=missing",
        rota_queries.reports_missing_count,
    ),
    QueueSpec(
        "vouchers_waiting",
        _("Vouchers waiting to be collected"),
        "points.view_voucher",
        "admin:points_voucher_changelist",
        "status__exact=issued",
        lambda user, today: points_queries.vouchers_waiting_count(user),
    ),
    QueueSpec(
        "low_stock",
        _("Low stock"),
        "points.view_stock",
        "admin:points_stock_changelist",
        "low=yes",
        lambda user, today: points_queries.low_stock_count(user),
    ),
    QueueSpec(
        "failed_notices",
        _("Notices that failed"),
        "notices.view_delivery",
        "admin:notices_delivery_changelist",
        "status__exact=failed",
        lambda user, today: notices_queries.failed_deliveries_count(),
    ),
    QueueSpec(
        "locked_accounts",
        _("Locked accounts"),
        "axes.view_accessattempt",
        "admin:axes_accessattempt_changelist",
        "locked_out=yes",
        lambda user, today: members_queries.locked_logins_count(),
    ),
)


def counts_outside_the_pages_version() -> str:
    """The queues no save of a portal record moves (members.page_cache's version): failed
    notices and locked logins. The stored workspace (PortalAdminSite.index) keys on them, so a
    retried notice or an unlocked account shows on the next request; two small counts where
    the page's twelve cost 100-150 ms at county scale."""
    failed = notices_queries.failed_deliveries_count()
    return f"{failed}-{members_queries.locked_logins_count()}"


def calendars_for(user):
    """The alliance organisations `user` is a contact of: each one's secret calendar."""
    return rota_queries.contact_calendars(user)


def queues_for(user) -> list[Queue]:
    """The queues `user` may open, each with its count (one query per queue)."""
    today = timezone.localdate()
    return [
        Queue(
            spec.key,
            spec.label,
            spec.count(user, today),
            f"{reverse(spec.changelist)}?{spec.query}",
        )
        for spec in QUEUES
        if user.has_perm(spec.permission)
    ]
