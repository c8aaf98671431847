"""Publish a month's ranking: `close_month 2026-10` (the same code as the task on the 1st)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from deqing_hub import ranking
from members import periods


class Command(BaseCommand):
    help = (
        "Freeze a finished month's ranking into a published snapshot with a content hash; "
        "closing a month again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month as YYYY-MM, for example 2026-10.")

    def handle(self, *args, month: str, **options):
        try:
            snapshot, created = ranking.close_month(month=periods.parse_month(month))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        state = "published" if created else "already published, unchanged"
        self.stdout.write(f"{snapshot.month:%Y-%m} {state}: sha256 {snapshot.content_hash}")
