"""Every ranking table as plain rows of cells, drawn by `html(table)` (`{{ table.html }}`).

A column has a role: `rank`, `name` and `score` stay on the first line of a card on a phone,
`more` cells (the breakdown figures) wrap below them with their column label, so a 390 px
screen shows rank, name and score without sideways scrolling. The score links to the records
behind it. Cell text is escaped when drawn, never marked safe by the builders.

The markup is drawn in Python, not by a template include looping over cells: a template
resolved about 19,000 variables for the month page's 60 rows (about 35 ms of a cold page).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from django_stubs_ext import StrOrPromise

RANK, NAME, SCORE, MORE = "rank", "name", "score", "more"


def cell(text: Any, *, url: str | None = None, note: Any = None, muted: bool = False) -> dict:
    """One cell: its text, an optional link, a muted note after it (a kind, a branch)."""
    return {"text": text, "url": url, "note": note, "muted": muted, "zero": False}


def count(value: int) -> dict:
    """A count of records; a card on a phone leaves out the zeros (the breakdown lists all)."""
    return {**cell(value), "zero": not value}


def table(
    label: StrOrPromise,
    columns: list[tuple[str, StrOrPromise, bool]],
    rows: list[list[dict]],
    *,
    empty: StrOrPromise,
    anchors: list[str | None] | None = None,
) -> dict:
    """A table for the include: `columns` are (role, heading, numeric); `label` names the region.

    `anchors` gives a row an id, so a link can point at it (a member's own row).
    """
    heads = [{"role": role, "label": head, "num": num} for role, head, num in columns]
    drawn = {
        "label": label,
        "columns": heads,
        "rows": [
            {
                "anchor": anchors[i] if anchors else None,
                "cells": [
                    {**c, "role": h["role"], "label": h["label"], "num": h["num"]}
                    for c, h in zip(row, heads, strict=True)
                ],
            }
            for i, row in enumerate(rows)
        ],
        "empty": empty,
    }
    return {**drawn, "html": html(drawn)}


def html(table: dict) -> SafeString:
    """The table's markup. On a phone each row is a card: rank, name and score on one line,
    the other figures below, each after its column label (`data-label`, on those cells only).
    A table still wider than its box scrolls with the keyboard (tabindex) and says so.

    Every text is escaped here (stdlib `html.escape`, as Django's `escape`), per column once
    for the headings; a cell's text is never marked safe by the table builders."""
    columns = [
        (
            _column_class(column),
            f' data-label="{escape(str(column["label"]))}"' if column["role"] == MORE else "",
        )
        for column in table["columns"]
    ]
    heads = "".join(
        f'<th scope="col" class="{css}">{escape(str(column["label"]))}</th>'
        for (css, _label), column in zip(columns, table["columns"], strict=True)
    )
    rows = (
        "\n".join(
            "<tr{}>{}</tr>".format(
                f' id="{escape(row["anchor"])}"' if row["anchor"] else "",
                "".join(
                    _cell(c, css, label)
                    for c, (css, label) in zip(row["cells"], columns, strict=True)
                ),
            )
            for row in table["rows"]
        )
        or f'<tr><td colspan="{len(columns)}">{escape(str(table["empty"]))}</td></tr>'
    )
    hint = escape(_("Swipe the table sideways to see every column."))
    return mark_safe(  # noqa: S308 - every text above is escaped
        f'<div class="table-wrap" role="region" tabindex="0" '
        f'aria-label="{escape(str(table["label"]))}">'
        f'<table class="ranking-table"><thead><tr>{heads}</tr></thead><tbody>\n{rows}\n</tbody>'
        f'</table></div>\n<p class="scroll-hint muted" hidden>{hint}</p>'
    )


def _column_class(column: dict) -> str:
    return f"cell-{column['role']} num" if column["num"] else f"cell-{column['role']}"


def _cell(cell: dict, css: str, label: str) -> str:
    if cell["muted"]:
        css += " muted"
    if cell["zero"]:
        css += " zero"
    text = escape(str(cell["text"]))
    if cell["url"]:
        text = f'<a href="{escape(cell["url"])}">{text}</a>'
    if cell["note"]:
        text += f' <span class="muted">{escape(str(cell["note"]))}</span>'
    return f'<td class="{css}"{label}>{text}</td>'


def volunteer_anchor(member_id: int) -> str:
    return f"volunteer-{member_id}"


# A row id no table shows, reversed once in place of the id: `links` then makes each row's
# link by formatting, not by `reverse()` (about 25 us each, 60 a cold month page).
_ID_SLOT = 9_087_654_321_012_345_678


def links(name: str, *args: object) -> Callable[[int], str]:
    """`reverse(name, args=[*args, pk])` for any row id `pk`, from one `reverse()`."""
    head, tail = reverse(name, args=[*args, _ID_SLOT]).split(str(_ID_SLOT))
    return lambda pk: f"{head}{int(pk)}{tail}"


def _volunteer_links(month: dt.date) -> Callable[[dict], str]:
    url = links("ranking_volunteer", month.year, month.month)
    return lambda row: url(row["member_id"])


def ranked(
    label: StrOrPromise,
    *,
    name: StrOrPromise,
    score: StrOrPromise,
    more: list[tuple[StrOrPromise, bool]],
    rows: list[dict],
    cells: Callable[[dict], list[dict]],
    empty: StrOrPromise,
    anchor: Callable[[dict], str | None] | None = None,
) -> dict:
    """A ranking: rank, then the `name` and `score` columns, then `more` as (heading, numeric).

    `cells(row)` gives the name cell, the score cell and one cell per `more` column.
    """
    return table(
        label,
        [
            (RANK, _("Rank"), False),
            (NAME, name, False),
            (SCORE, score, True),
            *((MORE, heading, numeric) for heading, numeric in more),
        ],
        [[cell(row["rank"]), *cells(row)] for row in rows],
        empty=empty,
        anchors=[anchor(row) for row in rows] if anchor else None,
    )


def organisations(month: dt.date, rows: list[dict], components: list[tuple[str, Any]]) -> dict:
    link = links("ranking_organisation", month.year, month.month)

    def cells(o: dict) -> list[dict]:
        url = link(o["id"])
        return [
            cell(o["name"], note=o["kind_label"]),
            cell(o["score"], url=url),
            *(count(o["counts"][key]) for key, _label in components),
        ]

    return ranked(
        _("Alliance organisations"),
        name=_("Organisation"),
        score=_("Score"),
        more=[(label, True) for _key, label in components],
        rows=rows,
        cells=cells,
        empty=_("No alliance organisations yet."),
    )


def branches(month: dt.date, rows: list[dict]) -> dict:
    """Branches rank by points per member, so that is the score; it opens the branch's list."""

    link = links("ranking_branch", month.year, month.month)

    def cells(b: dict) -> list[dict]:
        url = link(b["id"])
        return [
            cell(b["name"], note=b["kind_label"]),
            cell(b["per_member"], url=url),
            cell(b["members"]),
            cell(b["points"]),
        ]

    return ranked(
        _("Branches"),
        name=_("Branch"),
        score=_("Points per member"),
        more=[(_("Members"), True), (_("Points"), True)],
        rows=rows,
        cells=cells,
        empty=_("No branches yet."),
    )


def _unnamed() -> dict:
    return cell(_("(not named)"), muted=True)


def volunteers(month: dt.date, rows: list[dict]) -> dict:
    """Named volunteers link to their ledger entries; the others are counted without a name."""

    link = _volunteer_links(month)

    def cells(v: dict) -> list[dict]:
        if not v["named"]:
            return [_unnamed(), cell(v["points"]), cell("")]
        return [cell(v["name"]), cell(v["points"], url=link(v)), cell(v["branch"])]

    return ranked(
        _("Volunteers"),
        name=_("Name"),
        score=_("Points"),
        more=[(_("Branch"), False)],
        rows=rows,
        cells=cells,
        empty=_("No points earned this month yet."),
        anchor=lambda v: volunteer_anchor(v["member_id"]) if v["named"] else None,
    )


def branch_volunteers(month: dt.date, name: StrOrPromise, rows: list[dict]) -> dict:
    link = _volunteer_links(month)

    def cells(v: dict) -> list[dict]:
        who = cell(v["name"], url=link(v)) if v["named"] else _unnamed()
        return [who, cell(v["points"])]

    return ranked(
        name,
        name=_("Name"),
        score=_("Points"),
        more=[],
        rows=rows,
        cells=cells,
        empty=_("No points earned this month."),
    )


def year(year: int, rows: list[dict]) -> dict:
    link = links("ranking_year_organisation", year)

    def cells(o: dict) -> list[dict]:
        url = link(o["id"])
        meetings = o["meetings"]
        return [
            cell(o["name"]),
            cell(o["score"], url=url),
            cell(o["months_score"]),
            cell(f"{meetings['count']} ({meetings['points']})"),
            cell(o["services"]),
        ]

    return ranked(
        _("Alliance ranking %(year)s") % {"year": year},
        name=_("Organisation"),
        score=_("Score"),
        more=[
            (_("Monthly scores"), True),
            (_("Exchange meetings attended"), True),
            (_("Services delivered"), True),
        ],
        rows=rows,
        cells=cells,
        empty=_("No alliance organisations yet."),
    )


def projects(rows: list[dict]) -> dict:
    """The project contest (履诺竞赛): the public's average stars are the score, and a project
    opens its own page, where its pledge, progress and every rating are shown."""

    link = links("projects:project_detail")

    def cells(p: dict) -> list[dict]:
        url = link(p["pk"])
        stars = p["rating_average"]
        return [
            cell(p["title"], url=url, note=p["branch"]),
            cell(stars, url=url) if stars is not None else cell("–", muted=True),
            cell(p["status"]),
            count(p["rating_count"]),
            cell(p["leader"]),
        ]

    return ranked(
        _("Project contest"),
        name=_("Project"),
        score=_("Average stars"),
        more=[(_("Status"), False), (_("Ratings"), True), (_("Leader"), False)],
        rows=rows,
        cells=cells,
        empty=_("No project was claimed this year yet."),
    )


def weights(rows: list[dict]) -> dict:
    return table(
        _("How organisations are scored"),
        [(NAME, _("Counted"), False), (SCORE, _("Points each"), True)],
        [[cell(w["label"]), cell(w["weight"])] for w in rows],
        empty="",
    )


def ledger(name: StrOrPromise, entries: list[Any]) -> dict:
    return table(
        name,
        [(RANK, _("Date"), False), (NAME, _("For"), False), (SCORE, _("Points"), True)],
        [[cell(_date(e.created_at)), cell(e.reason), cell(e.amount)] for e in entries],
        empty=_("No entries."),
    )


def _date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
