"""Every ranking table as plain rows of cells, drawn by one include (templates/ranking/_table.html).

A column has a role: `rank`, `name` and `score` stay on the first line of a card on a phone,
`more` cells (the breakdown figures) wrap below them with their column label, so a 390 px
screen shows rank, name and score without sideways scrolling. The score links to the records
behind it. Cell text is escaped by the template, never marked safe here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    import datetime as dt

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
    return {
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


def volunteer_anchor(member_id: int) -> str:
    return f"volunteer-{member_id}"


def _volunteer_url(month: dt.date, row: dict) -> str:
    return reverse("ranking_volunteer", args=[month.year, month.month, row["member_id"]])


def organisations(month: dt.date, rows: list[dict], components: list[tuple[str, Any]]) -> dict:
    return table(
        _("Alliance organisations"),
        [
            (RANK, _("Rank"), False),
            (NAME, _("Organisation"), False),
            (SCORE, _("Score"), True),
            *((MORE, label, True) for _key, label in components),
        ],
        [
            [
                cell(o["rank"]),
                cell(o["name"], note=o["kind_label"]),
                cell(
                    o["score"],
                    url=reverse("ranking_organisation", args=[month.year, month.month, o["id"]]),
                ),
                *(count(c["count"]) for c in o["cells"]),
            ]
            for o in rows
        ],
        empty=_("No alliance organisations yet."),
    )


def branches(month: dt.date, rows: list[dict]) -> dict:
    """Branches rank by points per member, so that is the score; the total links to the list."""
    return table(
        _("Branches"),
        [
            (RANK, _("Rank"), False),
            (NAME, _("Branch"), False),
            (SCORE, _("Points per member"), True),
            (MORE, _("Members"), True),
            (MORE, _("Points"), True),
        ],
        [
            [
                cell(b["rank"]),
                cell(b["name"], note=b["kind_label"]),
                cell(
                    b["per_member"],
                    url=reverse("ranking_branch", args=[month.year, month.month, b["id"]]),
                ),
                cell(b["members"]),
                cell(b["points"]),
            ]
            for b in rows
        ],
        empty=_("No branches yet."),
    )


def volunteers(month: dt.date, rows: list[dict]) -> dict:
    """Named volunteers link to their ledger entries; the others are counted without a name."""
    return table(
        _("Volunteers"),
        [
            (RANK, _("Rank"), False),
            (NAME, _("Name"), False),
            (SCORE, _("Points"), True),
            (MORE, _("Branch"), False),
        ],
        [
            [
                cell(v["rank"]),
                cell(v["name"]) if v["named"] else cell(_("(not named)"), muted=True),
                cell(v["points"], url=_volunteer_url(month, v) if v["named"] else None),
                cell(v["branch"] or ""),
            ]
            for v in rows
        ],
        empty=_("No points earned this month yet."),
        anchors=[volunteer_anchor(v["member_id"]) if v["named"] else None for v in rows],
    )


def weights(rows: list[dict]) -> dict:
    return table(
        _("How organisations are scored"),
        [(NAME, _("Counted"), False), (SCORE, _("Points each"), True)],
        [[cell(w["label"]), cell(w["weight"])] for w in rows],
        empty="",
    )


def year(year: int, rows: list[dict]) -> dict:
    return table(
        _("Alliance ranking %(year)s") % {"year": year},
        [
            (RANK, _("Rank"), False),
            (NAME, _("Organisation"), False),
            (SCORE, _("Score"), True),
            (MORE, _("Monthly scores"), True),
            (MORE, _("Exchange meetings attended"), True),
            (MORE, _("Services delivered"), True),
        ],
        [
            [
                cell(o["rank"]),
                cell(o["name"]),
                cell(o["score"], url=reverse("ranking_year_organisation", args=[year, o["id"]])),
                cell(o["months_score"]),
                cell(f"{o['meetings']['count']} ({o['meetings']['points']})"),
                cell(o["services"]),
            ]
            for o in rows
        ],
        empty=_("No alliance organisations yet."),
    )


def branch_volunteers(month: dt.date, name: StrOrPromise, rows: list[dict]) -> dict:
    return table(
        name,
        [(RANK, _("Rank"), False), (NAME, _("Name"), False), (SCORE, _("Points"), True)],
        [
            [
                cell(v["rank"]),
                cell(v["name"], url=_volunteer_url(month, v))
                if v["named"]
                else cell(_("(not named)"), muted=True),
                cell(v["points"]),
            ]
            for v in rows
        ],
        empty=_("No points earned this month."),
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
