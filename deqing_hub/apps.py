from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DeqingHubConfig(AppConfig):
    name = "deqing_hub"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from deqing_hub.roles import setup_roles_after_migrate

        # deqing_hub is the last app, so the permissions of every app exist when it runs.
        post_migrate.connect(setup_roles_after_migrate, sender=self, dispatch_uid="setup_roles")
