"""Test SMS backends (chosen through settings.SMS_BACKEND): one keeps what it sends, one fails."""

from __future__ import annotations

from members.sms import BaseBackend, TransientSmsError

OUTBOX: list[dict] = []


class ListBackend(BaseBackend):
    def deliver(self, *, numbers: list[str], text: str, key: str) -> None:
        OUTBOX.append({"numbers": numbers, "text": text, "key": key})


class BrokenBackend(BaseBackend):
    def deliver(self, *, numbers: list[str], text: str, key: str) -> None:
        raise TransientSmsError("gateway down")
