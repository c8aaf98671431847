"""The public lists behind the home figures: what each figure counts, without personal data.

`/figures/<key>/` lists the records of the home figure `<key>` from the same query functions
the figure is counted with, so the count on the list is the figure. Shown: names of
enterprises, branches, organisations, services and items, dates and counts - never a person
(party members are counted per branch only; who redeemed a voucher is left out).
A breakdown (`?kind=`) is every kind of the figure's parts, so the parts add up to the total.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members import queries as members_queries
from points import queries as points_queries
from rota import queries as rota_queries
from services import queries as services_queries

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from members.queries import KindCount


@dataclass
class Row:
    """One card of a list: a title and a few public details."""

    title: str
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FigureList:
    title: StrOrPromise
    intro: StrOrPromise
    # kind -> the records (a QuerySet or a list); None: every kind.
    rows: Callable[[str | None], QuerySet[Any] | Sequence[Any]]
    row: Callable[[Any], Row]
    # The parts of the figure, one query; None when the figure has no breakdown.
    breakdown: Callable[[], list[KindCount]] | None = None


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _enterprise(enterprise) -> Row:
    details = [str(enterprise.get_industry_display())]
    if enterprise.signed_on:
        details.append(str(_("signed %(date)s") % {"date": _day(enterprise.signed_on)}))
    return Row(enterprise.name, details)


def _branch(branch: members_queries.BranchSize) -> Row:
    kind = members_queries.branch_kind_labels().get(branch.kind, branch.kind)
    members = ngettext(
        "%(count)d party member", "%(count)d party members", branch.active_members
    ) % {"count": branch.active_members}
    return Row(branch.name, [str(kind), members])


def _organisation(row: tuple[int, str, str, str]) -> Row:
    _pk, name, short_name, kind = row
    label = str(rota_queries.organisation_kind_labels().get(kind, kind))
    return Row(name, [label, short_name] if short_name and short_name != name else [label])


def _duty_week(week) -> Row:
    report = _("report filed") if week.has_report else _("no report yet")
    return Row(
        week.organisation.name,
        [f"{_day(week.week_start)} – {_day(week.week_end)}", str(report)],
    )


def _service_record(record) -> Row:
    served = ngettext(
        "%(count)d person served", "%(count)d people served", record.people_served
    ) % {"count": record.people_served}
    return Row(record.service.title, [_day(record.delivered_on), record.organisation.name, served])


def _voucher(voucher) -> Row:
    return Row(
        voucher.item.name,
        [
            str(voucher.item.get_kind_display()),
            voucher.point.name,
            _day(timezone.localtime(voucher.issued_at).date()),
            str(voucher.get_status_display()),
        ],
    )


LISTS: dict[str, FigureList] = {
    "enterprises": FigureList(
        _("Enterprises"),
        _("Enterprises on the town's roll, by industry."),
        members_queries.active_enterprises,
        _enterprise,
        members_queries.enterprises_by_industry,
    ),
    "branches": FigureList(
        _("Party branches"),
        _("The branches of the town party committee and how many party members each has."),
        members_queries.branches_with_active_members,
        _branch,
        members_queries.branches_by_kind,
    ),
    "organisations": FigureList(
        _("Red Alliance members"),
        _("The organisations of the GIS Red Alliance, by kind."),
        rota_queries.active_organisations,
        _organisation,
        rota_queries.active_organisations_by_kind,
    ),
    "duty-weeks": FigureList(
        _("Duty weeks held"),
        _("Covenant duty weeks that were acknowledged or reported, the latest first."),
        lambda _kind: rota_queries.held_duty_weeks_list(timezone.localdate()),
        _duty_week,
    ),
    "services": FigureList(
        _("Services delivered"),
        _("Services the alliance organisations delivered, the latest first."),
        lambda _kind: services_queries.delivered_services(),
        _service_record,
    ),
    "redeemed": FigureList(
        _("Items exchanged for points"),
        _("Items members exchanged their volunteer points for (collected or ready to collect)."),
        points_queries.redeemed_vouchers,
        _voucher,
        points_queries.redeemed_by_kind,
    ),
}
