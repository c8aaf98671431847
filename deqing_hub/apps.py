from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeqingHubConfig(AppConfig):
    name = "deqing_hub"
    verbose_name = _("Portal")
