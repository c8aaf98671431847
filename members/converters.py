"""The portal's URL path converters: every path parameter is as tight as what it names.

Django's `int` takes any number of digits and `str` any text but a slash, so
`/ranking/99999999999999999999/01/` reached the view (where the year overflowed a date) and
`/rota/feed/%00.ics` reached PostgreSQL (which refuses NUL in text). With these converters
such a path matches no pattern and is an ordinary 404 before any view runs. Registered once,
here in the lowest app (every app may import members), when the app registry is ready
(MembersConfig.ready), before any urls.py is read; every urls.py of the portal uses them.

    id      a database row id: 1 to 19 digits, at most the largest bigint (BigAutoField)
    year    a year of four digits
    month   a month of one or two digits (the view says why 0 or 13 is wrong)
    token   a secret from `secrets.token_urlsafe` or a voucher code: URL-safe characters only
    signed  a `django.core.signing` token (URL-safe base64, ':' separators, '.' if compressed)
"""

from __future__ import annotations

from typing import Any

from django.urls import register_converter

BIGINT_MAX = 2**63 - 1


class NumberConverter:
    """A whole number written with the digits `regex` allows (not registered itself)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class IdConverter(NumberConverter):
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not 0 < number <= BIGINT_MAX:
            # A ValueError from a converter means "no match": the resolver answers 404.
            raise ValueError("not a row id")
        return number


class YearConverter(NumberConverter):
    regex = "[0-9]{4}"


class MonthConverter(NumberConverter):
    regex = "[0-9]{1,2}"


class TokenConverter:
    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SignedConverter(TokenConverter):
    regex = "[A-Za-z0-9_:.-]{1,512}"


CONVERTERS: dict[str, type[Any]] = {
    "id": IdConverter,
    "year": YearConverter,
    "month": MonthConverter,
    "token": TokenConverter,
    "signed": SignedConverter,
}


def register() -> None:
    for name, converter in CONVERTERS.items():
        register_converter(converter, name)
