from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotaConfig(AppConfig):
    name = "rota"
    verbose_name = _("GIS Red Alliance")

    def ready(self) -> None:
        from members.panels import register_me_panel
        from rota import personal_data
        from rota.queries import me_panel_context

        # The app's records in the member's data download (/me/export/).
        personal_data.register()
        # /me/ shows an alliance contact's duty weeks.
        register_me_panel("rota/includes/me_panel.html", context=me_panel_context, order=50)
