"""Run calls at the same moment in threads of their own, against the real database.

Race tests (row locks, unique constraints, select_for_update) need real concurrent
transactions: each thread gets its own PostgreSQL connection, a barrier releases them all at
once, and each closes its connection when done, so the test database can be flushed and
dropped afterwards. Use it from `django_db(transaction=True)` tests that ask for `postgres`:
the threads' connections cannot see rows a test transaction has not committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection


@dataclass(frozen=True)
class Outcome:
    """What one call did: returned `value`, or raised `error`."""

    value: Any = None
    error: BaseException | None = None


class Race(list[Outcome]):
    """The outcome of each call, in the order the calls were given."""

    @property
    def values(self) -> list[Any]:
        """What the calls that returned gave back (in call order)."""
        return [o.value for o in self if o.error is None]

    @property
    def errors(self) -> list[BaseException]:
        """What the calls that failed raised (in call order)."""
        return [o.error for o in self if o.error is not None]

    def refusals(self) -> list[str]:
        """The codes of the refused calls; any other exception is re-raised here.

        A race test expects each call to succeed or be refused by a rule: a crash (a deadlock,
        an IntegrityError that escaped) fails the test with its own traceback.
        """
        codes = []
        for error in self.errors:
            if not isinstance(error, ValidationError):
                raise error
            codes.append(error.code)
        return codes


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> Race:
    """Start every call at the same moment, each in its own thread; wait for all of them."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = Outcome(value=call())
        except BaseException as exc:  # handed to the test, which decides what it expects
            outcomes[index] = Outcome(error=exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"calls {stuck} still running after {timeout}s (a lock never released?)"
    return Race(o for o in outcomes if o is not None)
