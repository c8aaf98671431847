from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services and activities")

    def ready(self) -> None:
        from members.panels import register_me_panel
        from services import notices, personal_data
        from services.queries import me_panel_context

        # The app's records in the member's data download (/me/export/).
        personal_data.register()
        # What the app tells people (members.notices).
        notices.register_kinds()
        # /me/ shows my service requests, my sign-ups and my attendance.
        register_me_panel(
            "services/includes/me_panel_slot.html", context=me_panel_context, order=30
        )
