from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("Micro-wish wall")

    def ready(self) -> None:
        from members.panels import register_me_panel
        from wishes import notifications, personal_data
        from wishes.queries import me_panel_context

        # The app's records in the member's data download (/me/export/).
        personal_data.register()
        # What the wall tells people (members.notices).
        notifications.register_kinds()
        # /me/ shows my wishes and the claims I made for an organisation.
        register_me_panel("wishes/includes/me_panel.html", context=me_panel_context, order=40)
