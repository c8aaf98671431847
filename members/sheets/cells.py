"""One cell of a sheet: formula safety, cell text, and the column types every app's sheets use.

Formula safety: a cell a spreadsheet would run as a formula (= + - @, tab, CR) is written with a
leading apostrophe (`escape_formula`, applied to every exported cell by
`members.sheets.resources.ExportResource`) and read back without it (`unescape_formula`, applied
by `cell_text` to every imported cell), so export -> import is lossless.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, widgets

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


def escape_formula(value: Any) -> Any:
    """Prefix an apostrophe to text a spreadsheet would evaluate (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """Undo `escape_formula` on import."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def cell_text(value: Any) -> str:
    """A cell as text, formula escaping undone: numbers typed into Excel (13812345678.0) become
    their digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(unescape_formula(value) if isinstance(value, str) else value).strip()


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """Chinese label on export; label (either language) or code on import."""

    _lookup: dict[str, str]  # built on first use

    def __init__(self, choices, *, blank: bool = False) -> None:
        super().__init__()
        self.choices = choices
        self.blank = blank

    def _labels(self) -> dict[str, str]:
        if "_lookup" in self.__dict__:
            return self._lookup
        lookup = {}
        for code, label in self.choices:
            lookup[str(code).lower()] = code
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    lookup[str(label).lower()] = code
        self._lookup = lookup
        return lookup

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.blank:
                return ""
            raise ValueError(_("This column must not be empty."))
        code = self._labels().get(text.lower())
        if code is None:
            with translation.override("zh-hans"):
                allowed = "、".join(str(label) for _code, label in self.choices)
            raise ValueError(
                _("“%(value)s” is not allowed here; use one of: %(allowed)s.")
                % {"value": text, "allowed": allowed}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        for code, label in self.choices:
            if code == value:
                with translation.override("zh-hans"):
                    return str(label)
        return ""


class YesNoWidget(widgets.Widget):
    TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
    FALSE = {"否", "n", "no", "false", "0", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write 是 (yes) or 否 (no); “%(value)s” is neither.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChineseDateWidget(widgets.Widget):
    """Dates as 2026-11-26; accepts 2026/11/26, 2026年11月26日 and Excel date cells."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date; write it as 2026-11-26.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class LookupWidget(widgets.Widget):
    """A related row found by one or more unique-enough text fields."""

    def __init__(
        self, *, queryset, lookups: tuple[str, ...], render_field: str, noun, required=False
    ) -> None:
        widgets.Widget.__init__(self)
        self.required = required
        self.queryset = queryset
        self.lookups = lookups
        self.render_field = render_field
        self.noun = noun

    def find(self, text: str) -> Model:
        # One query per distinct name per import (the widget is copied for each resource).
        cache = self.__dict__.setdefault("_found", {})
        if text not in cache:
            try:
                cache[text] = self._find(text)
            except ValueError as exc:
                cache[text] = exc
        if isinstance(cache[text], ValueError):
            raise cache[text]
        return cache[text]

    def _find(self, text: str) -> Model:
        for lookup in self.lookups:
            matches = list(self.queryset().filter(**{lookup: text})[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValueError(
                    _("Several %(noun)s are called “%(value)s”; use the unique code instead.")
                    % {"noun": self.noun, "value": text}
                )
        raise ValueError(_("No %(noun)s “%(value)s” exists.") % {"noun": self.noun, "value": text})

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text and self.required:
            raise ValueError(_("This column must not be empty."))
        return self.find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.render_field, "") if value is not None else ""


class LookupListWidget(LookupWidget, widgets.ManyToManyWidget):
    """Several related rows in one cell, separated by 、 , ; or new lines."""

    def __init__(self, **kwargs) -> None:
        LookupWidget.__init__(self, **kwargs)
        self.model = kwargs["queryset"]().model

    def clean(self, value, row=None, **kwargs):
        names = [part.strip() for part in _LIST_SEPARATORS.split(cell_text(value))]
        return [self.find(name) for name in names if name]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(getattr(item, self.render_field) for item in value.all())


class Column(fields.Field):
    """A column of a sheet staff import: `example` is its cell in the blank template's example
    row (`members.sheets.blank`); None leaves it blank, or shows a choice column's first choice.
    Declared with the column, so the column and its example are one declaration."""

    def __init__(self, *, example: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.example = example


class Lookup(NamedTuple):
    """Where a look-up column finds its rows: a queryset, the fields tried in turn, a noun."""

    queryset: Callable[[], QuerySet]
    lookups: tuple[str, ...]
    noun: Any  # for messages: "No <noun> “...” exists."


def lookup_column(
    attribute: str,
    column_name: str,
    target: Lookup,
    *,
    render_field: str = "name",
    required: bool = False,
    many: bool = False,
    readonly: bool = False,
    example: str | None = None,
) -> Column:
    """A column naming related rows (several in one cell with `many`), found through `target`
    and exported as their `render_field`."""
    widget_class = LookupListWidget if many else LookupWidget
    widget = widget_class(
        queryset=target.queryset,
        lookups=target.lookups,
        render_field=render_field,
        noun=target.noun,
        required=required,
    )
    return Column(
        attribute=attribute,
        column_name=column_name,
        widget=widget,
        readonly=readonly,
        example=example,
    )


def text_column(attribute: str, column_name: str, *, example: str | None = None) -> Column:
    """A column of plain text (bidi controls and edge spaces stripped on import)."""
    return Column(
        attribute=attribute, column_name=column_name, widget=TextWidget(), example=example
    )


def date_column(attribute: str, column_name: str, *, example: str | None = None) -> Column:
    """A column of dates, 2026-01-15 or 2026年1月15日."""
    return Column(
        attribute=attribute, column_name=column_name, widget=ChineseDateWidget(), example=example
    )


def choice_column(
    attribute: str, column_name: str, choices, *, blank: bool = False, example: str | None = None
) -> Column:
    """A column of a choices field: its Chinese label on export, label or code on import."""
    return Column(
        attribute=attribute,
        column_name=column_name,
        widget=ChoiceWidget(choices, blank=blank),
        example=example,
    )


def yes_no_column(attribute: str, column_name: str, *, example: str | None = None) -> Column:
    """A 是/否 column of a boolean field."""
    return Column(
        attribute=attribute, column_name=column_name, widget=YesNoWidget(), example=example
    )


def active_column(column_name: str) -> Column:
    """The 是/否 column of a row's `is_active` (on the roll, in use); a new row whose cell is
    left blank is active."""
    return Column(
        attribute="is_active", column_name=column_name, widget=YesNoWidget(), default=True
    )


class ChoiceLabelField(fields.Field):
    """An export column of a choices field (or one behind relations, wish__status), written as
    its label in the exporting user's language rather than its internal code."""

    def get_value(self, instance):
        *path, name = self.attribute.split("__")
        for attr in path:
            instance = getattr(instance, attr, None)
            if instance is None:
                return None
        return str(getattr(instance, f"get_{name}_display")())


class MaskedField(Column):
    """A personal-data column: masked on export unless revealed; masked input keeps the value."""

    def __init__(self, *, mask: Callable[[str], str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask = mask
        self.reveal = False  # set per resource; the import preview's diff also reads export()

    def export(self, instance, **kwargs):
        value = self.get_value(instance) or ""
        return value if self.reveal else self.mask(value)

    def save(self, instance, row, is_m2m=False, **kwargs):
        cleaned = self.clean(row, **kwargs)
        current = getattr(instance, self.attribute) or ""
        if cleaned and "*" in cleaned:
            if current and self.mask(current) == cleaned:
                return  # the cell is as it was exported: unchanged
            raise ValueError(
                _(
                    "This cell holds a masked value (%(value)s) that does not match the stored "
                    "one; enter the full value, or leave the cell as it was exported."
                )
                % {"value": cleaned}
            )
        setattr(instance, self.attribute, cleaned)
