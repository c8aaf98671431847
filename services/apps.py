from django.utils.translation import gettext_lazy as _

from members import panels


class ServicesConfig(panels.MemberDataAppConfig):
    name = "services"
    verbose_name = _("Services and activities")
    # /me/ shows my service requests, my sign-ups and my attendance.
    me_panel = (
        "services/includes/me_panel_slot.html",
        "services.queries.me_panel_context",
        30,
    )
    # What the app tells people.
    notice_kinds = "services.notices.KINDS"
