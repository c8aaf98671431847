from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "services.projects"
    label = "projects"
    verbose_name = _("Member projects")

    def ready(self) -> None:
        from members.panels import register_me_panel
        from services.projects import personal_data
        from services.projects.queries import me_panel_context

        personal_data.register()

        # /me/ shows the projects I lead or work on.
        register_me_panel("projects/includes/me_panel.html", context=me_panel_context, order=35)
