from django.utils.translation import gettext_lazy as _

from members import panels


class WishesConfig(panels.MemberDataAppConfig):
    name = "wishes"
    verbose_name = _("Micro-wish wall")
    # /me/ shows my wishes and the claims I made for an organisation.
    me_panel = ("wishes/includes/me_panel.html", "wishes.queries.me_panel_context", 40)
    # What the wall tells people.
    notice_kinds = "wishes.notifications.KINDS"
