from django.utils.translation import gettext_lazy as _

from members import panels


class ProjectsConfig(panels.MemberDataAppConfig):
    name = "services.projects"
    label = "projects"
    verbose_name = _("Member projects")
    # /me/ shows the projects I lead or work on.
    me_panel = ("projects/includes/me_panel.html", "services.projects.queries.me_panel_context", 35)
