from django.utils.translation import gettext_lazy as _

from members import panels


class RotaConfig(panels.MemberDataAppConfig):
    name = "rota"
    verbose_name = _("GIS Red Alliance")
    # /me/ shows an alliance contact's duty weeks.
    me_panel = ("rota/includes/me_panel.html", "rota.queries.me_panel_context", 50)
    # The inbox copy of each duty reminder.
    notice_kinds = "rota.notices.KINDS"
