"""Remove audit records older than the retention period (AUDIT_RETENTION_DAYS, at least 183)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit import AuditEvent

MINIMUM_RETENTION_DAYS = 183  # six months (Cybersecurity Law art. 21, MLPS 2.0 level 2)


class Command(BaseCommand):
    help = "Delete audit records older than AUDIT_RETENTION_DAYS (never fewer than 183 days)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of AUDIT_RETENTION_DAYS (183 or more).",
        )

    def handle(self, *args, days: int | None = None, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < MINIMUM_RETENTION_DAYS:
            raise CommandError(
                _("Audit records must be kept at least %(minimum)s days; %(days)s is too few.")
                % {"minimum": MINIMUM_RETENTION_DAYS, "days": days}
            )
        cutoff = timezone.now() - timedelta(days=days)
        removed = AuditEvent.objects.purge(cutoff)
        self.stdout.write(
            _("%(count)s audit record(s) older than %(days)s days removed.")
            % {"count": removed, "days": days}
        )
