from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Volunteer points")

    def ready(self) -> None:
        from members.panels import register_me_panel
        from points import notices, personal_data
        from points.queries import me_panel_context

        # The app's records in the member's data download (/me/export/).
        personal_data.register()
        # What the points app tells people (members.notices).
        notices.register_kinds()
        # /me/ shows my balance, this month's points and my vouchers with their QR codes.
        register_me_panel("points/includes/me_panel.html", context=me_panel_context, order=10)
