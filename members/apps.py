from django.utils.translation import gettext_lazy as _

from members import panels


class MembersConfig(panels.MemberDataAppConfig):
    name = "members"
    verbose_name = _("Branches and members")

    def ready(self) -> None:
        super().ready()
        # accounts: its receiver counts a wrong login code as a failed login.
        # page_cache: its receivers drop the stored public pages when a shown record changes.
        from members import accounts, audit_receivers, converters, page_cache  # noqa: F401

        # Before any urls.py is imported: they all use the portal's converters.
        converters.register()

        audit_receivers.connect_role_changes()
