"""{% load tables %}: the head of a data table, drawn one way on every page.

`{% table_head _("Date") _("What") _("Points") %}` is the table's `<thead>`: one column header
per label, in order, each with `scope="col"` so that a screen reader names the column of every
cell it reads. A label with a translation context is translated first
(`{% translate "Year" context "whole-year total" as year %}`) and passed by name; an empty
label heads a column of buttons.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("includes/table_head.html")
def table_head(*labels: Any) -> dict[str, Any]:
    return {"labels": labels}
