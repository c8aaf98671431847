"""List the accounts nobody used for INACTIVE_ACCOUNT_DAYS days (90 by default)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from members.actions import inactive_accounts
from members.audit import mask_value


class Command(BaseCommand):
    help = "List active accounts without a login for 90 days (review, then disable in the admin)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Days without a login.")

    def handle(self, *args, days: int | None = None, **options):
        days = days or settings.INACTIVE_ACCOUNT_DAYS
        accounts = list(inactive_accounts(days=days))
        for user in accounts:
            last = (
                timezone.localtime(user.last_login).strftime("%Y-%m-%d")
                if user.last_login
                else _("never")
            )
            # Masked: the list is read on screens and pasted into tickets.
            self.stdout.write(
                f"{user.pk}\t{mask_value('email', user.email) or '-'}\t"
                f"{'staff' if user.is_staff else '-'}\t{last}"
            )
        self.stdout.write(
            _("%(count)s account(s) unused for %(days)s days.")
            % {"count": len(accounts), "days": days}
        )
