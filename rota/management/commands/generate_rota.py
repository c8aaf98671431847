"""Generate the duty rota for a date range from the command line."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rota import actions


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Fill the duty weeks from START to END fairly; past and confirmed weeks are kept."

    def add_arguments(self, parser):
        parser.add_argument("start", type=_date)
        parser.add_argument("end", type=_date)
        parser.add_argument(
            "--include-holiday-weeks",
            action="store_true",
            help="Also fill weeks that are mostly statutory holidays.",
        )

    def handle(self, *args, start, end, include_holiday_weeks=False, **options):
        try:
            result = actions.generate_rota(
                start=start, end=end, skip_holiday_weeks=not include_holiday_weeks
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for week in result.created:
            self.stdout.write(f"{week.week_start:%Y-%m-%d}  {week.organisation}")
        for monday, reason in sorted(result.unfilled.items()):
            self.stdout.write(f"{monday:%Y-%m-%d}  -- {reason}")
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(
            f"created={len(result.created)} kept={len(result.kept)} "
            f"replaced={result.replaced} unfilled={len(result.unfilled)}"
        )
