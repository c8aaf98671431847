"""Pluggable SMS backends, chosen by the SMS_BACKEND setting (a dotted path).

A backend sends one text to one or more mainland mobiles in one call and receives the
outbox row's idempotency key, the same on every attempt of that row (gateways that take it
as an out-id drop the repeat a worker killed after the hand-over causes; see the README).
Errors: `TransientSmsError` (try again later) or `PermanentSmsError` (will never succeed).
The default `FileBackend` writes each message as a file to SMS_FILE_PATH (var/sms/);
`ConsoleBackend` prints it with the numbers masked; members/sms_gateways.py holds the real
gateways (Alibaba Cloud, Tencent Cloud).

Mainland gateways send only texts built from a template registered with them: a caller names
the template (`notice`, `code`, `invitation`; see SMS_TEMPLATES) and gives its parameters, and
also the full text, which the local backends write out. Without a template the text goes as the
`content` parameter of the `notice` template.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from members.masking import mask_mobile
from members.phones import normalize_mobile


class SmsError(Exception):
    pass


class TransientSmsError(SmsError):
    """The gateway is unreachable or busy: try again later."""


class PermanentSmsError(SmsError):
    """The message can never be sent as it is (bad number, rejected text)."""


def clean_numbers(numbers: list[str]) -> list[str]:
    """The numbers as 11 digits; refuse anything that is not a mainland mobile."""
    clean = [normalize_mobile(n) for n in numbers]
    if not clean or not all(clean):
        raise PermanentSmsError("not a mainland mobile number")
    return [n for n in clean if n]


class BaseBackend:
    def send(
        self,
        *,
        numbers: list[str],
        text: str,
        key: str,
        template: str = "notice",
        params: dict[str, str] | None = None,
    ) -> int:
        """Send `text` to `numbers`; return how many numbers it went to."""
        clean = clean_numbers(numbers)
        self.deliver_message(numbers=clean, text=text, key=key, template=template, params=params)
        return len(clean)

    def deliver_message(
        self, *, numbers: list[str], text: str, key: str, template: str, params: dict | None
    ) -> None:
        """Hand one message over; the local backends write out the text alone."""
        self.deliver(numbers=numbers, text=text, key=key)

    def deliver(self, *, numbers: list[str], text: str, key: str) -> None:
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Write each message to its own file (the local stand-in for a gateway)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or settings.SMS_FILE_PATH)

    def deliver(self, *, numbers: list[str], text: str, key: str) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self.directory / f"{stamp}-{secrets.token_hex(4)}.txt"
            body = f"To: {','.join(numbers)}\nKey: {key}\n\n{text}\n"
            # Written under a temporary name and renamed: a reader never sees half a message.
            tmp = path.with_suffix(".tmp")
            tmp.write_text(body, encoding="utf-8")
            tmp.rename(path)
        except OSError as exc:
            raise TransientSmsError(f"cannot write SMS file: {type(exc).__name__}") from exc


class ConsoleBackend(BaseBackend):
    """Print each message to standard output, numbers masked."""

    def deliver(self, *, numbers: list[str], text: str, key: str) -> None:
        masked = ",".join(mask_mobile(n) for n in numbers)
        sys.stdout.write(f"SMS to {masked} [{key}]\n{text}\n")
        sys.stdout.flush()


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
