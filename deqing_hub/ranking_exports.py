"""The ranking as xlsx workbooks (openpyxl, write-only): the same rows and rules as the page.

Volunteers without consent appear as a row without a name (counted, not named), exactly as on
the page; the workbook lists every volunteer of the month, not only the first rows.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from deqing_hub import ranking
from deqing_hub.models import ScoreFormula
from members.sheets.cells import escape_formula


class _Sheet:
    """A write-only sheet whose text never becomes a formula.

    In a write-only workbook openpyxl stores any text that starts with "=" as a formula, so an
    organisation or volunteer named "=HYPERLINK(...)" would run in the reader's Excel; each
    text cell gets the portal's one formula escaping instead, as the admin's exports do.
    """

    def __init__(self, workbook: Workbook, title: str) -> None:
        self._sheet = workbook.create_sheet(title)

    def append(self, row: list) -> None:
        self._sheet.append([escape_formula(value) for value in row])


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _formula_sheet(workbook: Workbook, ctx: dict) -> None:
    sheet = _Sheet(workbook, _("Formula"))
    sheet.append([_("Effective from"), ctx["formula"]["effective_from"]])
    sheet.append([_("Component"), _("Points each")])
    for weight in ctx["weights"]:
        sheet.append([str(weight["label"]), float(weight["weight"])])
    sheet.append([])
    sheet.append([_("Ties")])
    for text in ranking.TIE_RULES.values():
        sheet.append([str(text)])


def month_workbook(ctx: dict) -> bytes:
    """The month's three tables and its formula, one sheet each."""
    data = ctx["data"]
    payload = data.payload
    workbook = Workbook(write_only=True)

    info = _Sheet(workbook, _("Month"))
    info.append([_("Month"), ctx["month_label"]])
    info.append([_("Status"), _("Published") if data.is_published else _("Provisional")])
    if data.is_published:
        info.append([_("Published"), data.snapshot["published_at"].isoformat()])
        info.append([_("Content hash (SHA-256)"), data.snapshot["content_hash"]])
        info.append([_("Records entered after publication are not counted.")])

    volunteers = ctx["volunteers"]  # every volunteer: the view presents them without a limit
    sheet = _Sheet(workbook, _("Volunteers"))
    sheet.append([_("Rank"), _("Name"), _("Branch"), _("Points"), _("Ledger entries")])
    for row in volunteers["rows"]:
        sheet.append(
            [
                row["rank"],
                row["name"] if row["named"] else _("(not named)"),
                row["branch"] or "",
                row["points"],
                row["entries"],
            ]
        )
    sheet.append([])
    sheet.append([_("Volunteers"), volunteers["total"]])
    sheet.append([_("Not named (no consent)"), volunteers["unnamed"]])

    sheet = _Sheet(workbook, _("Branches"))
    sheet.append([_("Rank"), _("Branch"), _("Members"), _("Points"), _("Points per member")])
    for row in payload["branches"]:
        sheet.append(
            [row["rank"], row["name"], row["members"], row["points"], float(row["per_member"])]
        )

    sheet = _Sheet(workbook, _("Alliance organisations"))
    keys = ScoreFormula.MONTHLY_COMPONENTS
    sheet.append(
        [_("Rank"), _("Organisation"), _("Score")]
        + [str(ranking.COMPONENT_LABELS[key]) for key in keys]
    )
    for row in payload["organisations"]:
        sheet.append(
            [row["rank"], row["name"], float(row["score"])]
            + [row["components"][key]["count"] for key in keys]
        )
    _formula_sheet(workbook, ctx)
    return _save(workbook)


def year_workbook(data: dict) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook, str(data["year"]))
    sheet.append(
        [
            _("Rank"),
            _("Organisation"),
            _("Score"),
            _("Months"),
            str(ranking.COMPONENT_LABELS["meeting"]),
        ]
        + data["months"]
    )
    for row in data["organisations"]:
        sheet.append(
            [
                row["rank"],
                row["name"],
                float(row["score"]),
                float(row["months_score"]),
                row["meetings"]["count"],
            ]
            + [float(row["monthly"][m]) if m in row["monthly"] else None for m in data["months"]]
        )
    hashes = _Sheet(workbook, _("Content hashes"))
    hashes.append([_("Month"), _("Content hash (SHA-256)")])
    for month, value in data["hashes"].items():
        hashes.append([month, value])
    return _save(workbook)
