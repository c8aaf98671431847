"""Run every benchmark module `benchmarks/bench_*.py` (each has a `run()` that prints results).

Usage: make bench  (or: python -m benchmarks [name ...])
Benchmarks use the configured DATABASE_URL through a throwaway test database.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deqing_hub.settings")
os.environ.setdefault("DJANGO_TESTING", "true")


def main(selected: list[str]) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment, teardown_test_environment

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        here = Path(__file__).parent
        for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
            if not info.name.startswith("bench_"):
                continue
            if selected and info.name.removeprefix("bench_") not in selected:
                continue
            print(f"== {info.name}", flush=True)
            importlib.import_module(f"benchmarks.{info.name}").run()
    finally:
        runner.teardown_databases(old_config)
        teardown_test_environment()


if __name__ == "__main__":
    main(sys.argv[1:])
