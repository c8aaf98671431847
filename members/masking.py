"""Masking of personal data for display, export and logs."""

import re

_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_MOBILE_OR_MASKED = re.compile(r"^1\d{2}(\d{4}|\*{4})\d{4}$")
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{3})(\d{11})(\d{3}[\dXx])(?![\dA-Za-z])")


def _mask_middle(value: str | None, *, stars: int | None = None) -> str:
    """Keep the first three and last four characters and star the rest (`stars` of them if
    given, hiding the length too); star a value too short to keep anything of."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    middle = "*" * (len(value) - 7 if stars is None else stars)
    return f"{value[:3]}{middle}{value[-4:]}"


def mask_mobile(mobile: str | None) -> str:
    """138****5678"""
    return _mask_middle(mobile, stars=4)


def mask_id_number(id_number: str | None) -> str:
    """330***********123X"""
    return _mask_middle(id_number)


def mask_personal_data_in_text(text: str) -> str:
    """Mask every mobile and ID number that appears in free text (used for log lines)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m.group(0)), text)


def mask_email(email: str | None) -> str:
    """s***@example.cn: the first letter and the domain, enough to tell two accounts apart."""
    if not email:
        return ""
    local, _at, domain = str(email).partition("@")
    return f"{local[:1]}***@{domain}" if domain else "[hidden]"


def mask_name(name: str | None) -> str:
    """'王小明' -> '王*明', '王明' -> '王*', '明' -> '*': enough to recognise oneself, not to be
    looked up.

    The one rule for people's names wherever they are masked (public ranking, audit trail,
    admin logs). Text that is an e-mail address or a mobile (masked already or not) is masked
    as one: an account without a name goes by its contact.
    """
    name = str(name or "").strip()
    if "@" in name:
        return mask_email(name)
    if _MOBILE_OR_MASKED.match(name):
        return mask_mobile(name)
    if len(name) <= 1:
        # A single character (a given name alone, as the audit records first_name) is all of it.
        return "*" * len(name)
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def masked_contact(user) -> str:
    """An account's mobile, else its e-mail, masked (as the organisation sheet shows contacts);
    a login handle that is neither as it is."""
    if user.phone:
        return mask_mobile(user.phone)
    if user.email:
        return mask_email(user.email)
    handle = user.username or ""
    if "@" in handle:
        return mask_email(handle)
    if handle.isdigit():
        return mask_mobile(handle)
    return handle


def account_label(user) -> str:
    """How the admin names an account: '王芳（s***@example.cn）', or the masked contact alone.

    The one label for accounts in lists, read-only fields, messages and autocomplete results:
    staff recognise the person by name and tell namesakes apart by the masked contact, and
    nobody reads an e-mail address or mobile in clear.
    """
    if user is None:
        return "—"
    name = f"{user.last_name}{user.first_name}".strip()
    contact = masked_contact(user)
    if name and contact:
        return f"{name}（{contact}）"
    return name or contact
