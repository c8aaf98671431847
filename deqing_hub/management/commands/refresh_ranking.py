"""Re-sum the open months' points totals now (the same code as the periodic task).

Useful where no beat runs (the embedded `make run` without REDIS_URL) or from cron.
"""

from django.core.management.base import BaseCommand

from deqing_hub import tasks


class Command(BaseCommand):
    help = "Recompute this month's (and an unclosed last month's) points totals for the ranking."

    def handle(self, *args, **options):
        rows = tasks.refresh_ranking_totals()
        self.stdout.write(f"{rows} monthly totals written")
