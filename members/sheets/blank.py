"""The blank sheet an import page offers: the columns to fill, one example row, and dropdowns.

Each column of an import's resource (a `SheetResource`) declares its example cell with the
column (`cells.Column.example`); a column of fixed choices (ChoiceWidget) or 是/否 (YesNoWidget)
declared without one shows its first choice. Those columns get a dropdown (Excel's data
validation, a list kept on a hidden sheet), so Excel offers only values the import accepts; the
import still checks every cell, since a pasted value passes a dropdown.
"""

from __future__ import annotations

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from members.sheets.cells import ChoiceWidget, YesNoWidget
from members.sheets.resources import SheetResource

# Rows of the sheet that get the dropdowns (the header is row 1).
DROPDOWN_ROWS = 1000
CHOICES_SHEET = "选项"


def choices_of(widget) -> list[str] | None:
    """The values a column accepts as the sheet shows them, or None for free text."""
    if isinstance(widget, ChoiceWidget):
        with translation.override("zh-hans"):
            labels = [str(label) for _code, label in widget.choices]
        return [*labels, ""] if widget.blank else labels
    if isinstance(widget, YesNoWidget):
        return ["是", "否"]
    return None


def blank_workbook(resource: SheetResource, *, title: str) -> bytes:
    """The import template of `resource` as an xlsx file (see the module docstring)."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the default sheet; the template's is named
    sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
    lists = book.create_sheet(CHOICES_SHEET)
    lists.sheet_state = "hidden"
    fields = resource.get_export_fields()
    sheet.append([str(field.column_name) for field in fields])
    example = []
    for index, field in enumerate(fields, start=1):
        given = getattr(field, "example", None)
        choices = choices_of(field.widget)
        if choices is None:
            example.append(given or "")
            continue
        example.append(choices[0] if given is None else given)
        values = [value for value in choices if value]
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=index, value=value)
        letter = get_column_letter(index)
        dropdown = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(CHOICES_SHEET)}!${letter}$1:${letter}${len(values)}",
            allow_blank="" in choices,
            showErrorMessage=True,
        )
        dropdown.add(f"{letter}2:{letter}{DROPDOWN_ROWS + 1}")
        sheet.add_data_validation(dropdown)
    sheet.append(example)
    for index, field in enumerate(fields, start=1):
        # Wide enough for the header and the example (CJK characters count twice).
        width = max(_display_width(str(field.column_name)), _display_width(example[index - 1]))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 40)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _display_width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in str(text))
