"""Pinyin order: how names break ties in every ranking."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any, TypeVar

from pypinyin import lazy_pinyin

Row = TypeVar("Row")


def pinyin_key(name: str) -> str:
    """'王小明' -> 'wangxiaoming' (ASCII text passes through, so stored pinyin is kept)."""
    return "".join(lazy_pinyin(name or "")).lower()


def sort_with_pinyin_ties(
    rows: list[Row], key: Callable[[Row], Any], name: Callable[[Row], str]
) -> list[Row]:
    """Sort by `key` (ascending), then by the pinyin of `name(row)` among rows with equal keys.

    Pinyin is worked out only for tied rows: converting thousands of names costs seconds.
    """
    rows = sorted(rows, key=key)
    result: list[Row] = []
    for _value, group in groupby(rows, key=key):
        tied = list(group)
        if len(tied) > 1:
            tied.sort(key=lambda row: pinyin_key(name(row)))
        result.extend(tied)
    return result
