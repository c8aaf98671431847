"""What a `make bench` run's numbers mean: wrk's output parsed, rounds ordered, medians of ratios.

Pure functions (no Django, no processes), unit-tested on real wrk output in
tests/foundation/test_bench_summary.py.

Every figure is a ratio to the reference view measured in the same round: the machine is
shared and noisy (the same server measures 1.7k to 3.0k requests/s from one sample to the
next), so absolute figures from different moments cannot be compared, ratios can.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

BARE = "bare"
# A run whose reference varies more than this between rounds is reported as unstable.
UNSTABLE_SPREAD = 0.25
# The line our Lua `done()` hook prints (see benchmarks/web.py, LUA).
RESULT_MARK = "BENCH_RESULT "

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    """One wrk run against one target."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    # HTTP status -> count, as our Lua `response` hook saw them.
    statuses: dict[str, int] = field(default_factory=dict)
    # Socket errors wrk counted (connect, read, write, timeout).
    socket_errors: int = 0

    @property
    def bad_answers(self) -> int:
        """Answers that are not 2xx (a redirect to the login page is a failure too)."""
        return sum(n for status, n in self.statuses.items() if not status.startswith("2"))

    def to_json(self) -> dict:
        return {**asdict(self), "bad_answers": self.bad_answers}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read one wrk run's standard output (run with --latency and our Lua script).

    The Lua hook's line is exact (microseconds, every status seen); wrk's own text is the
    fallback for the figures it always prints, so a run without the hook still parses - but
    then only wrk's "Non-2xx or 3xx responses" count, which misses redirects, is known.
    """
    mark = next((line for line in output.splitlines() if line.startswith(RESULT_MARK)), None)
    if mark is not None:
        data = json.loads(mark[len(RESULT_MARK) :])
        seconds = data["duration_us"] / 1e6
        errors = data["errors"]
        return WrkResult(
            requests=int(data["requests"]),
            seconds=seconds,
            rps=data["requests"] / seconds if seconds else 0.0,
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            statuses={str(k): int(v) for k, v in data["statuses"].items()},
            socket_errors=sum(int(errors[k]) for k in ("connect", "read", "write", "timeout")),
        )
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rps and total and p50 and p99):
        raise ValueError("wrk output without its summary (was --latency given?)")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = int(total.group(1))
    bad = int(non_2xx.group(1)) if non_2xx else 0
    statuses = {"2xx or 3xx": requests - bad}
    if bad:
        statuses["4xx or 5xx"] = bad
    return WrkResult(
        requests=requests,
        seconds=_duration_ms(total.group(2)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_duration_ms(p50.group(1)),
        p99_ms=_duration_ms(p99.group(1)),
        statuses={k: v for k, v in statuses.items() if v},
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def round_order(targets: Sequence[str], round_index: int) -> list[str]:
    """Targets in list order in even rounds, reversed in odd ones (drift hits both ends alike)."""
    return list(targets) if round_index % 2 == 0 else list(reversed(targets))


@dataclass
class TargetSummary:
    name: str
    ratios: list[float]
    p99_ratios: list[float]
    ratio: float
    p99_ratio: float
    rps: float
    p99_ms: float
    target: float | None
    bad_answers: int

    @property
    def status(self) -> str:
        if self.bad_answers:
            return "FAIL"
        if self.target is None:
            return "-"
        return "pass" if self.ratio >= self.target and self.p99_ratio <= P99_LIMIT else "miss"


# Every page's p99 at most this many times the reference's (the target).
P99_LIMIT = 5.0


@dataclass
class RunSummary:
    targets: list[TargetSummary]
    bare_rps: list[float]
    bare_p99_ms: list[float]
    spread: float
    unstable: bool
    failures: list[str]

    @property
    def failed(self) -> bool:
        return bool(self.failures)


def summarise(
    rounds: Sequence[Mapping[str, WrkResult]],
    targets: Mapping[str, float | None],
) -> RunSummary:
    """Medians over rounds of (target req/s / reference req/s) and (target p99 / reference p99).

    `rounds`: one mapping per round, target name -> its wrk result, the reference included
    under BARE. `targets`: target name -> the ratio it must reach (None: measured, no target).
    """
    if not rounds:
        raise ValueError("no rounds to summarise")
    bare_rps = [r[BARE].rps for r in rounds]
    bare_p99 = [r[BARE].p99_ms for r in rounds]
    spread = max(bare_rps) / min(bare_rps) - 1 if min(bare_rps) > 0 else float("inf")
    failures = []
    summaries = []
    for name, target in targets.items():
        results = [r[name] for r in rounds if name in r]
        bad = sum(r.bad_answers + r.socket_errors for r in results)
        if empty := sum(1 for r in results if r.requests == 0):
            failures.append(f"{name}: no answer within the duration in {empty} round(s)")
        if bad:
            seen = sorted({s for r in results for s in r.statuses if not s.startswith("2")})
            failures.append(f"{name}: {bad} answers not 2xx or socket errors ({', '.join(seen)})")
        present = [r for r in rounds if name in r]
        ratios = [r[name].rps / r[BARE].rps for r in present]
        # A round in which no request finished has no latency: it counts as infinitely slow.
        p99_ratios = [
            (r[name].p99_ms if r[name].requests else float("inf")) / r[BARE].p99_ms for r in present
        ]
        summaries.append(
            TargetSummary(
                name=name,
                ratios=ratios,
                p99_ratios=p99_ratios,
                ratio=statistics.median(ratios),
                p99_ratio=statistics.median(p99_ratios),
                rps=statistics.median(r.rps for r in results),
                p99_ms=statistics.median(r.p99_ms for r in results),
                target=target,
                bad_answers=bad + empty,
            )
        )
    if bad_bare := sum(r[BARE].bad_answers + r[BARE].socket_errors for r in rounds):
        failures.insert(0, f"{BARE}: {bad_bare} answers not 2xx or socket errors")
    return RunSummary(
        targets=summaries,
        bare_rps=bare_rps,
        bare_p99_ms=bare_p99,
        spread=spread,
        unstable=spread > UNSTABLE_SPREAD,
        failures=failures,
    )


@dataclass
class JobSummary:
    name: str
    seconds: float
    reference_seconds: float
    reference: str
    limit: float | None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.reference_seconds if self.reference_seconds else float("inf")

    @property
    def status(self) -> str:
        if self.limit is None:
            return "-"
        return "pass" if self.ratio <= self.limit else "miss"


def table(run: RunSummary, jobs: Sequence[JobSummary] = ()) -> str:
    """The short table printed at the end of a run (Markdown, so docs can quote it)."""
    lines = [
        "| target | req/s | ratio to bare | p99 ms | p99 × bare | target | result |",
        "|---|---:|---:|---:|---:|---|---|",
        f"| bare view (reference) | {statistics.median(run.bare_rps):.0f} | 1 "
        f"| {statistics.median(run.bare_p99_ms):.1f} | 1 | - | - |",
    ]
    for t in run.targets:
        goal = f"≥ {t.target:g}, p99 ≤ {P99_LIMIT:g}×" if t.target is not None else "-"
        lines.append(
            f"| {t.name} | {t.rps:.1f} | {t.ratio:.3f} | {t.p99_ms:.1f} | {t.p99_ratio:.1f} "
            f"| {goal} | {t.status} |"
        )
    if jobs:
        lines += [
            "",
            "| job | seconds | reference (seconds) | ratio | target | result |",
            "|---|---:|---|---:|---|---|",
        ]
        for j in jobs:
            goal = f"≤ {j.limit:g}" if j.limit is not None else "-"
            lines.append(
                f"| {j.name} | {j.seconds:.2f} | {j.reference} ({j.reference_seconds:.2f}) "
                f"| {j.ratio:.2f} | {goal} | {j.status} |"
            )
    lines.append("")
    lines.append(
        f"bare view: {min(run.bare_rps):.0f}-{max(run.bare_rps):.0f} req/s over "
        f"{len(run.bare_rps)} rounds (spread {run.spread:.0%}"
        + (", UNSTABLE: more than 25%)" if run.unstable else ")")
    )
    if run.failures:
        lines.append("FAILED: " + "; ".join(run.failures))
    return "\n".join(lines)
