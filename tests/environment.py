"""pytest plugin loaded before Django starts: mark the process as a test run.

With DJANGO_TESTING set, settings accept built-in placeholder secrets and keep cookies
usable over the test client's plain HTTP. Production settings never see this variable.
"""

import os

os.environ.setdefault("DJANGO_TESTING", "true")
# Playwright drives the browser from the test process alongside the live server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
