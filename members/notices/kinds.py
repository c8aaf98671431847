"""The registry of notice kinds: what each says, through which channels, and who may mute it.

Each app declares its kinds in a tuple that its AppConfig names (`notice_kinds`, registered in
ready()). A kind's template, `<app>/notices/<name>.txt` for the key "<app>.<name>", renders
the whole notice from plain values the sender gives (names, dates, lazy labels): its first line
is the subject, the rest the body; the link is added per channel. `example` holds the values the
rendering test (tests/notices/test_kinds.py) renders every kind with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from members.notices.models import GROUP_CHANNELS, PERSONAL_CHANNELS, Channel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NoticeKind:
    key: str
    label: StrOrPromise
    # The channels the centre allows for this kind (the inbox is always on top).
    channels: tuple[str, ...] = (Channel.EMAIL, Channel.SMS)
    # Chosen for a person who has not chosen: e-mail, else SMS to a person with no address.
    default: tuple[str, ...] = (Channel.EMAIL,)
    # Covenant reminders: the person cannot switch the channels off.
    mandatory: bool = False
    # Only staff receive it (the settings page shows it to staff only).
    staff_only: bool = False
    example: dict[str, Any] = field(default_factory=dict)
    example_link: str = "/"

    @property
    def template(self) -> str:
        app, name = self.key.split(".", 1)
        return f"{app}/notices/{name}.txt"

    @property
    def personal_channels(self) -> list[str]:
        return [c for c in PERSONAL_CHANNELS if c in self.channels]

    @property
    def group_channels(self) -> list[str]:
        return [c for c in GROUP_CHANNELS if c in self.channels]


KINDS: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> NoticeKind:
    if KINDS.get(kind.key, kind) != kind:
        raise ValueError(f"notice kind {kind.key} registered twice")
    KINDS[kind.key] = kind
    return kind


def get(key: str) -> NoticeKind:
    return KINDS[key]


def personal(*, staff: bool) -> list[NoticeKind]:
    """Kinds a person receives, in registration order (the settings page lists these)."""
    return [k for k in KINDS.values() if k.personal_channels and (staff or not k.staff_only)]
