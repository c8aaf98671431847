"""No sender bypasses the outbox: only the channels module talks to a mail server, an SMS
gateway or a robot (and the account pages, whose codes and links must arrive at once)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

APPS = ["members", "rota", "points", "services", "wishes", "deqing_hub"]
SENDING_MODULES = {"django.core.mail", "members.sms", "members.sms_gateways", "smtplib"}
# Who may import them, and why:
ALLOWED = {
    # the outbox's channels (every notice, the duty reminders too, sends through here)
    "members/notices/channels.py",
    # the SMS backends themselves
    "members/sms.py",
    "members/sms_gateways.py",
    # allauth's adapter: a login code or sign-up link is needed now, by the person at the
    # screen, and has no inbox to land in yet (the account may not exist)
    "members/accounts.py",
    # the invitation to open an account. The login exists by then, but the link carries a
    # one-time secret the portal keeps only as a SHA-256 (Invitation.token_digest): an outbox
    # row or inbox copy would store it in clear for INVITATION_DAYS. And a text the gateway
    # refuses refuses the invitation at once (nothing is kept), so staff know while they are
    # at the screen instead of finding a failed row later. Logged, never stored.
    "members/actions/invitations.py",
}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_only_the_channels_send():
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or relative in ALLOWED:
                continue
            used = {
                name
                for name in imports_of(path)
                if any(name == m or name.startswith(f"{m}.") for m in SENDING_MODULES)
            }
            if used:
                offenders.append(f"{relative}: {sorted(used)}")
    assert offenders == [], "send through members.notices.actions.notify instead"
