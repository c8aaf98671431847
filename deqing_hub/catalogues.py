"""Compile every translation catalogue (.po -> .mo) in pure Python.

`make run` must work on a machine with only Python and make, where GNU gettext's msgfmt
(which Django's compilemessages needs) may be missing; polib does the same job.
Usage: python deqing_hub/catalogues.py compile

The catalogues carry no `#: file:line` locations: hand-edited entries left them pointing at
lines that had long moved. Extract with `manage.py makemessages -l zh_Hans --no-location`.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", "staticfiles"}


def catalogues() -> list[Path]:
    return [
        po
        for po in ROOT.glob("**/locale/*/LC_MESSAGES/*.po")
        if not SKIP.intersection(po.relative_to(ROOT).parts)
    ]


def compile_all() -> int:
    count = 0
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count


if __name__ == "__main__":
    if sys.argv[1:] != ["compile"]:
        sys.exit("usage: python deqing_hub/catalogues.py compile")
    print(f"Compiled {compile_all()} translation catalogue(s).")
