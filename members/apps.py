from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Branches and members")

    def ready(self) -> None:
        from members import personal_data

        # The app's records in the member's data download (/me/export/).
        personal_data.register()

        # accounts: its receiver counts a wrong login code as a failed login.
        # page_cache: its receivers drop the stored public pages when a shown record changes.
        from members import accounts, audit_receivers, converters, page_cache  # noqa: F401

        # Before any urls.py is imported: they all use the portal's converters.
        converters.register()

        audit_receivers.connect_role_changes()
