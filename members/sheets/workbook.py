"""The member's data download (/me/export/?format=xlsx) as a workbook: one sheet a model.

Every text cell goes through `escape_formula`: a wish titled "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from members.exports import export_sources, plain_value
from members.sheets.cells import escape_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    return escape_formula(plain_value(value))


def my_data_workbook(data: dict[str, Any]) -> bytes:
    """`data` as members.views builds it: account and member on a key/value sheet first, then
    one sheet per registered model (titled "app.Model", headed by the field names)."""
    # Write-only: rows stream out, and the book starts with no sheet of its own.
    book = Workbook(write_only=True)
    profile = book.create_sheet("profile")
    profile.append([_("Field"), _("Value")])
    for section in ("account", "member"):
        for key, value in (data[section] or {}).items():
            profile.append([f"{section}.{key}", _cell(value)])
    columns = {source.label: source.columns() for source in export_sources()}
    for label, rows in data["records"].items():
        sheet = book.create_sheet(label[:31])
        sheet.append([name for _path, name in columns[label]])
        for row in rows:
            sheet.append([_cell(row[path]) for path, _name in columns[label]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
