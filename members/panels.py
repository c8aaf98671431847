"""Panels on the member home page `/me/`, contributed by the apps above this one.

Later apps (points, services, wishes) register a panel in their AppConfig.ready():

    from members.panels import register_me_panel
    register_me_panel("points/me_panel.html", context=points_panel_context, order=10)

or, with their data download too, declare it on a `MemberDataAppConfig` (me_panel, below).

`context(request, member)` returns the template's extra context (member may be None for a
login without a member record). The view renders panels in `order`, each through
`{% include panel.template with member=member panel=panel.context %}` in the `panels` block.

Their records also belong in the member's data download: see members.exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.module_loading import import_string

PanelContext = Callable[[HttpRequest, Any], dict[str, Any]]


@dataclass(frozen=True)
class MePanel:
    template: str
    context: PanelContext | None = None
    order: int = 100


@dataclass
class RenderedPanel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


_PANELS: dict[str, MePanel] = {}


def register_me_panel(
    template: str, *, context: PanelContext | None = None, order: int = 100
) -> None:
    """Add (or replace, by template name) a panel on /me/; safe to call again on reload."""
    _PANELS[template] = MePanel(template=template, context=context, order=order)


def me_panels(request: HttpRequest, member) -> list[RenderedPanel]:
    panels = sorted(_PANELS.values(), key=lambda p: (p.order, p.template))
    return [
        RenderedPanel(template=p.template, context=p.context(request, member) if p.context else {})
        for p in panels
    ]


class MemberDataAppConfig(AppConfig):
    """An app holding members' records: on ready() its `<app>.personal_data.register()` puts
    them in the member's data download (/me/export/), and `me_panel` (template, dotted path of
    the context function, order), when set, adds its panel to /me/.

    `notice_kinds`, when set, is the dotted path of the tuple of `NoticeKind`s the app tells
    people by (members.notices): registered here so that every app registers its kinds at the
    same moment, before any request or task can send one.
    """

    me_panel: tuple[str, str, int] | None = None
    notice_kinds: str | None = None

    def ready(self) -> None:
        import_string(f"{self.name}.personal_data.register")()
        if self.me_panel is not None:
            template, context, order = self.me_panel
            register_me_panel(template, context=import_string(context), order=order)
        if self.notice_kinds is not None:
            # Here, not at the top: the kinds module reads the notices' models, not loaded yet
            # when the apps' configs are.
            from members.notices.kinds import register as register_notice_kind

            for kind in import_string(self.notice_kinds):
                register_notice_kind(kind)
