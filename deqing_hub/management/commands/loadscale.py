"""Load synthetic data at benchmark scale: `loadscale` (a county: 10,000 members, 1,000,000
ledger entries, ...) or `loadscale --scale 0.01` (a hundredth, for tests). PostgreSQL only.

See `deqing_hub.scale` for what is generated and why it is valid; `make bench` runs it.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from deqing_hub import scale


class Command(BaseCommand):
    help = (
        "Fill an empty PostgreSQL database with deterministic synthetic data at benchmark scale "
        "(COPY, then VACUUM ANALYZE). Refuses a database that holds data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Fraction of the full size (1: 10,000 members, 1,000,000 entries; 0.01: tests).",
        )
        parser.add_argument("--seed", type=int, default=20, help="Random seed (default 20).")
        parser.add_argument(
            "--anchor",
            type=dt.date.fromisoformat,
            default=None,
            help="The day the data ends (YYYY-MM-DD, default today); same seed and day, same rows.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Empty every portal table first (all data in this database is deleted).",
        )

    def handle(self, *args, **options):
        size = options["scale"]
        if not 0 < size <= 5:
            raise CommandError("--scale must be more than 0 and at most 5.")
        anchor = options["anchor"] or timezone.localdate()
        if anchor > timezone.localdate():
            raise CommandError("--anchor cannot be in the future.")
        try:
            counts = scale.load(
                scale=size,
                seed=options["seed"],
                anchor=anchor,
                force=options["force"],
                log=self.stdout.write,
            )
        except (scale.NotEmpty, NotImplementedError) as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(f"loadscale {scale.VERSION} (scale {size:g}): {total:,} rows loaded")
