"""Load the demo data that reproduces the figures of the source article; safe to run again."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Lowest layer first: each app's `demo.seed()` may use what the apps before it created.
# deqing_hub.demo comes last: it publishes the demo's finished months of the ranking.
DEMO_MODULES = [
    "members.demo",
    "rota.demo",
    "points.demo",
    "services.demo",
    "services.projects.demo",
    "wishes.demo",
    "deqing_hub.demo",
]


class Command(BaseCommand):
    help = "Create (or complete) the deterministic demo data; running it twice changes nothing."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                summary = module.seed()
            self.stdout.write(f"{name}: {summary}")
