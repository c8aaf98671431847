"""{% load sheet_problems %}: an import result as plain row/column/reason lines for staff."""

from django import template

from members.sheets.files import SheetProblem, sheet_problems

register = template.Library()


@register.filter(name="sheet_problems")
def sheet_problems_filter(result) -> list[SheetProblem]:
    return sheet_problems(result) if result is not None else []
