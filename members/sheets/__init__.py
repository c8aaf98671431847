"""The portal's one spreadsheet toolkit (xlsx and CSV through django-import-export).

Every app's `sheets.py` builds on it and only declares its columns and its row rules:
- `cells`: formula safety (`escape_formula`, `unescape_formula`, `cell_text`) and the column
  types (text, choices as Chinese labels, 是/否, dates, look-ups by name, masked personal data);
- `resources`: `ExportResource` (formula-safe cells, readable headers) and `SheetResource`
  (imports: header check, row rules, errors by row and column, every row or none);
- `files`: reading an upload, importing it all or nothing (`import_rows`), the problems by row
  and column (`sheet_problems`, `SheetRejected`), writing an export (`write_sheet`);
- `roll`: the members' own sheets (enterprises, branches, members) and their use cases.

Rules every sheet keeps: a cell a spreadsheet would run as a formula is exported with a leading
apostrophe and read back without it, so export -> import is lossless; an import saves every row
or none; staff read each problem as "row 3, column 性别: reason".
"""
