"""SMS backends that behave like a flaky or a refusing gateway (used through SMS_BACKEND)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from members.sms import FileBackend, PermanentSmsError, TransientSmsError


class FlakyBackend(FileBackend):
    """Fails with a transient error the first `failures` calls, then writes like FileBackend."""

    failures = 2
    calls = 0

    def deliver(self, *, numbers, text, key):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise TransientSmsError("gateway timeout")
        super().deliver(numbers=numbers, text=text, key=key)


class RefusingBackend(FileBackend):
    def deliver(self, *, numbers, text, key):
        raise PermanentSmsError("template rejected by the gateway")


class SlowBackend(FileBackend):
    """A gateway taking ROTA_TEST_SMS_SECONDS per message; marks each send as it starts.

    Used by the worker-kill test: a marker file appears before the pause, so the test can
    kill the worker while a message is on its way (before it was handed over).
    """

    def deliver(self, *, numbers, text, key):
        Path(self.directory).mkdir(parents=True, exist_ok=True)
        (Path(self.directory) / f"started-{key}.mark").write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("ROTA_TEST_SMS_SECONDS", "0.3")))
        super().deliver(numbers=numbers, text=text, key=key)


class HookedBackend(FileBackend):
    """Runs the next of `hooks` inside each send (what happens elsewhere while a message is
    on its way), then writes like FileBackend; a hook that raises makes the send fail."""

    hooks: list = []

    def deliver(self, *, numbers, text, key):
        if type(self).hooks:
            type(self).hooks.pop(0)()
        super().deliver(numbers=numbers, text=text, key=key)
