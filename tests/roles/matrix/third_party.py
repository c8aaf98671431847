"""Models other libraries register: groups, e-mail addresses, lockout logs, periodic tasks."""

from __future__ import annotations

ADMIN: list = []
