"""Browser fixtures (`browser`, `phone`) live in tests/conftest.py, shared by every folder."""

from tests.conftest import CHROMIUM, WECHAT_ANDROID_UA  # noqa: F401 - kept for importers
