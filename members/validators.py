"""Validators for Chinese identifiers: credit codes (GB 32100), ID numbers (GB 11643), mobiles.

Each `validate_*` raises ValidationError with a code and a message in the user's language and
returns nothing; `normalize_*` returns the canonical form (upper case, half-width) or ''.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.phones import normalize_mobile

# GB 32100-2015: 31 characters, the letters I, O, Z, S and V are never used.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")

# GB 11643-1999: weights 2^(17-i) mod 11; remainder -> check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-8]\d{16}[\dX]$")


def _half_width_upper(value: str | None) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def credit_code_check_character(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w
        for ch, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def id_number_check_character(first17: str) -> str:
    """Return the GB 11643 check character (0-9 or X) for the first 17 digits of an ID number."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_credit_code(value: str | None) -> str:
    return _half_width_upper(value)


def normalize_id_number(value: str | None) -> str:
    return _half_width_upper(value)


def validate_credit_code(value: str) -> None:
    """18 characters of the GB 32100 alphabet, digits for the area code, a valid check character."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)s."),
            code="credit_code_length",
            params={"count": len(code)},
        )
    if not _CREDIT_CODE_SHAPE.match(code):
        raise ValidationError(
            _(
                "This unified social credit code contains characters that are not allowed "
                "(I, O, Z, S, V and punctuation are never used; characters 3 to 8 are digits)."
            ),
            code="credit_code_characters",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "The check character of this unified social credit code is wrong; "
                "please re-check it."
            ),
            code="credit_code_check",
        )


def birth_date_of(id_number: str) -> dt.date | None:
    """Return the birth date encoded in an 18-character ID number, or None if it is no date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> None:
    """18 characters, region digit 1-8, a real birth date (1900..today), a valid check character."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(count)s."),
            code="id_number_length",
            params={"count": len(number)},
        )
    if not _ID_SHAPE.match(number):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."),
            code="id_number_characters",
        )
    born = birth_date_of(number)
    if born is None or born < dt.date(1900, 1, 1) or born > timezone.localdate():
        raise ValidationError(
            _("The birth date in this ID number (characters 7 to 14) is not a plausible date."),
            code="id_number_birth_date",
        )
    if id_number_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please re-check it."),
            code="id_number_check",
        )


def validate_mobile(value: str) -> None:
    """An 11-digit mainland mobile (full-width digits, spaces and +86 are accepted)."""
    if not normalize_mobile(value):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, such as 13812345678."),
            code="mobile",
        )
