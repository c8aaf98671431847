from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from members import panels


class DeqingHubConfig(panels.MemberDataAppConfig):
    name = "deqing_hub"
    verbose_name = _("Portal")

    def ready(self) -> None:
        super().ready()
        from deqing_hub import dashboard

        # The home dashboard is cached per version of the records it counts.
        dashboard.register_counted_models()

        from deqing_hub.roles import setup_roles_after_migrate

        # deqing_hub is the last app, so the permissions of every app exist when it runs.
        post_migrate.connect(setup_roles_after_migrate, sender=self, dispatch_uid="setup_roles")


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (deqing_hub.admin_site) as `admin.site`.

    Named in INSTALLED_APPS in place of "django.contrib.admin". `default = False` keeps
    DeqingHubConfig the configuration Django picks for "deqing_hub" itself.
    """

    default = False
    default_site = "deqing_hub.admin_site.PortalAdminSite"
