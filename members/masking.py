"""Masking of personal data for display, export and logs."""

import re

_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{3})(\d{11})(\d{3}[\dXx])(?![\dA-Za-z])")


def mask_mobile(mobile: str | None) -> str:
    """138****5678"""
    if not mobile:
        return ""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_id_number(id_number: str | None) -> str:
    """330***********123X"""
    if not id_number:
        return ""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return f"{id_number[:3]}{'*' * (len(id_number) - 7)}{id_number[-4:]}"


def mask_personal_data_in_text(text: str) -> str:
    """Mask every mobile and ID number that appears in free text (used for log lines)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m.group(0)), text)
