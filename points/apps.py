from django.utils.translation import gettext_lazy as _

from members import panels


class PointsConfig(panels.MemberDataAppConfig):
    name = "points"
    verbose_name = _("Volunteer points")
    # /me/ shows my balance, this month's points and my vouchers with their QR codes.
    me_panel = ("points/includes/me_panel.html", "points.queries.me_panel_context", 10)
    # What the points app tells people.
    notice_kinds = "points.notices.KINDS"
