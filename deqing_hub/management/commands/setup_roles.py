"""Create or reset the staff roles (also run automatically after every `migrate`)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from deqing_hub.roles import setup_roles


class Command(BaseCommand):
    help = "Create the staff role groups and set their permissions (idempotent)."

    def handle(self, *args, **options):
        for role, count in setup_roles().items():
            self.stdout.write(_("%(role)s: %(count)s permissions") % {"role": role, "count": count})
