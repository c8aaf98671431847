"""A sheet file in and out: reading an upload, importing it all or nothing, writing an export.

Problems are reported by the sheet's own row number (the header is row 1) and column, in the
importing user's language (Chinese for the centre's staff): `sheet_problems` for an import
result (also the admin's import page, through the `sheet_problems` template filter),
`SheetRejected` when `import_rows` refuses a file.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NoReturn

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats

from members.models import User
from members.sheets.resources import ExportResource, SheetResource

logger = logging.getLogger(__name__)

# 10,000 members make a ~1 MB xlsx; 10 MB leaves room and stops a 20 MB upload at the door.
MAX_SHEET_BYTES = getattr(settings, "MEMBERS_SHEET_MAX_BYTES", 10 * 1024 * 1024)
SHEET_FORMATS = {".xlsx": base_formats.XLSX, ".csv": base_formats.CSV}

# A unique constraint another import can win between a row's own check and its insert: what
# to tell the importer then (the row's check gives the same message when it sees the clash).
RACE_MESSAGES = {
    "members_member_id_number_unique": gettext_lazy("Another member already has this ID number."),
}


@dataclass(frozen=True)
class SheetProblem:
    row: int | None  # the spreadsheet's line number (the header is line 1); None: whole file
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class SheetRejected(ValidationError):
    """The sheet was not imported; `problems` says where and why. Nothing was saved."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        self.problems = problems
        super().__init__([str(p) for p in problems])


@dataclass
class SheetReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = True
    problems: list[SheetProblem] = field(default_factory=list)


def read_sheet(*, content: bytes, file_name: str) -> tablib.Dataset:
    """Parse an uploaded xlsx or csv into a dataset, or raise SheetRejected with one reason."""

    def reject(message: str) -> NoReturn:
        raise SheetRejected([SheetProblem(row=None, column="", message=message)])

    if len(content) > MAX_SHEET_BYTES:
        reject(
            _("The file is %(size).1f MB; the limit is %(limit)s MB.")
            % {"size": len(content) / 1024 / 1024, "limit": MAX_SHEET_BYTES // 1024 // 1024}
        )
    if not content.strip():
        reject(_("The file is empty."))
    fmt_class = SHEET_FORMATS.get(PurePath(file_name).suffix.lower())
    if fmt_class is None:
        reject(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    try:
        if fmt_class is base_formats.CSV:
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = content.decode("gb18030")  # CSV saved by Excel on a Chinese Windows
            dataset = fmt_class().create_dataset(text)
        else:
            dataset = fmt_class().create_dataset(content)
    except StopIteration:  # a workbook whose first sheet has no rows at all
        reject(_("The file is empty."))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, UnicodeDecodeError):
        reject(
            _(
                "The file could not be read: it may be damaged or cut short. Open it in Excel, "
                "save it again as .xlsx and upload it again."
            )
        )
    if not dataset.headers or not any(dataset.headers):
        reject(_("The file is empty."))
    if dataset.height == 0:
        reject(_("The file has a header row but no data rows."))
    return dataset


def sheet_problems(result) -> list[SheetProblem]:
    """Every problem of an import result, with its sheet row (header = row 1) and column."""
    problems = [
        SheetProblem(row=None, column="", message=" ".join(_messages(e.error)))
        for e in result.base_errors
    ]
    if problems:
        return problems  # e.g. wrong headers: every row would fail for the same reason
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                problems.append(
                    SheetProblem(
                        row=invalid.number + 1,
                        column="" if column == NON_FIELD_ERRORS else column,
                        message=str(message),
                    )
                )
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(
                SheetProblem(row=number + 1, column="", message=" ".join(_messages(error.error)))
            )
    return sorted(problems, key=lambda p: (p.row or 0, p.column))


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    if isinstance(error, IntegrityError):
        for constraint, message in RACE_MESSAGES.items():
            if constraint in str(error):
                return [str(message)]
    # An unexpected database error: say what kind, never the row's content.
    logger.warning("members.sheet_row_error", extra={"error_type": type(error).__name__})
    return [_("This row could not be saved (%(error)s).") % {"error": type(error).__name__}]


def import_rows(
    *, resource: SheetResource, content: bytes, file_name: str, by: User, dry_run: bool = True
) -> SheetReport:
    """Import an uploaded sheet through `resource`: every row or none.

    A dry run reports what would change. Any problem raises SheetRejected listing every
    problem with its row, column and reason, and nothing is saved.
    """
    dataset = read_sheet(content=content, file_name=file_name)
    resource.row_diffs = False  # the report holds counts and problems, not the rows
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False, user=by)
    problems = sheet_problems(result)
    if problems:
        raise SheetRejected(problems)
    totals = result.totals
    return SheetReport(
        new=totals["new"],
        updated=totals["update"],
        unchanged=totals["skip"],
        dry_run=dry_run,
    )


def write_sheet(
    *, resource: ExportResource, queryset: QuerySet, file_format: str = "xlsx"
) -> bytes:
    """The rows of `queryset` as an xlsx workbook or a CSV file (UTF-8 with BOM, for Excel)."""
    data = SHEET_FORMATS[f".{file_format}"]().export_data(resource.export(queryset=queryset))
    return data if isinstance(data, bytes) else data.encode("utf-8-sig")
