from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    # In the members layer (the lowest), so every app can tell people through it.
    name = "members.notices"
    label = "notices"
    verbose_name = _("Notifications")
