"""pytest plugin loaded before Django starts: mark the process as a test run.

With DJANGO_TESTING set, settings accept built-in placeholder secrets and keep cookies
usable over the test client's plain HTTP. Production settings never see this variable.
"""

import os

os.environ.setdefault("DJANGO_TESTING", "true")
# Playwright drives the browser from the test process alongside the live server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Parallel runs (pytest-xdist): each worker gets its own Redis database, because tests clear
# the cache (FLUSHDB) and must not wipe another worker's counters or queued tasks.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_redis = os.environ.get("REDIS_URL", "")
if _worker.startswith("gw") and _redis:
    _base, _, _db = _redis.rpartition("/")
    if _db.isdigit():
        os.environ["REDIS_URL"] = f"{_base}/{int(_db) + int(_worker[2:])}"
