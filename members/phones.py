"""Mainland China mobile numbers: one normal form (11 ASCII digits) everywhere."""

import re
import unicodedata

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str | None) -> str:
    """Return the 11-digit form of a mainland mobile, or '' if the value is not one.

    Accepts full-width digits (１３８…), spaces and dashes, and a +86 / 0086 prefix,
    as people type them on Chinese phones.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"[\s\-()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text if _MOBILE.match(text) else ""
