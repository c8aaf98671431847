"""Check that every balance and stock matches its history (the same code as the nightly task)."""

from django.core.management.base import BaseCommand, CommandError

from points import reconciliation


class Command(BaseCommand):
    help = (
        "Compare every cached balance with its ledger entries and every stock with its "
        "movements; report differences to staff, never fix them. Exit status 1 if any differ."
    )

    def handle(self, *args, **options):
        run = reconciliation.reconcile()
        self.stdout.write(
            f"accounts={run.accounts_checked} entries={run.entries_checked} "
            f"stocks={run.stocks_checked} differences={len(run.differences)}"
        )
        for diff in run.differences:
            self.stdout.write(
                f"{diff['kind']} #{diff['id']}: cached {diff['cached']}, history {diff['history']}"
            )
        if run.differences:
            raise CommandError("the points books do not match; staff were told")
