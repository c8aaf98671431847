"""`make bench`'s arithmetic on real wrk output (captured from wrk 4.1 against the bench server):
parsing, the order of the rounds, the medians of ratios, instability and failed answers."""

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.summary import (
    BARE,
    JobSummary,
    WrkResult,
    parse_wrk,
    round_order,
    summarise,
    table,
)
from benchmarks.web import Target, lua_script, targets, warming_path

SAMPLES = Path(__file__).parent / "wrk_output"


def sample(name: str) -> WrkResult:
    return parse_wrk((SAMPLES / f"{name}.txt").read_text())


def test_the_lua_line_gives_exact_figures_and_every_status():
    bare = sample("bare")

    assert bare.requests == 830
    assert bare.seconds == pytest.approx(2.022324)
    assert bare.rps == pytest.approx(830 / 2.022324)
    assert bare.p50_ms == pytest.approx(30.452)
    assert bare.p99_ms == pytest.approx(696.706)
    assert bare.statuses == {"200": 830}
    assert bare.bad_answers == 0
    assert bare.socket_errors == 0


def test_a_redirect_is_a_bad_answer_though_wrk_itself_counts_it_as_fine():
    output = (SAMPLES / "redirect.txt").read_text()
    assert "Non-2xx" not in output  # wrk says nothing: 3xx passes its own check

    redirect = parse_wrk(output)

    assert redirect.statuses == {"302": 790}
    assert redirect.bad_answers == 790


def test_not_found_is_a_bad_answer():
    assert sample("notfound").statuses == {"404": 265}
    assert sample("notfound").bad_answers == 265


def test_wrk_text_alone_parses_with_units_converted():
    plain = sample("plain_bare")
    assert plain.requests == 1159
    assert plain.seconds == pytest.approx(2.10)
    assert plain.rps == pytest.approx(552.66)
    assert plain.p50_ms == pytest.approx(24.0)
    assert plain.p99_ms == pytest.approx(69.17)
    assert plain.bad_answers == 0

    notfound = sample("plain_notfound")
    assert notfound.bad_answers == 167  # "Non-2xx or 3xx responses: 167"

    # Seconds ("1.36s") from wrk's text when the Lua line is missing.
    text = (SAMPLES / "wishes.txt").read_text()
    slow = parse_wrk("\n".join(line for line in text.splitlines() if "BENCH_RESULT" not in line))
    assert slow.p99_ms == pytest.approx(1360.0)
    assert slow.p50_ms == pytest.approx(1020.0)
    assert parse_wrk(text).p50_ms == pytest.approx(1015.791)  # the Lua line is exact


def test_output_without_a_summary_is_refused():
    with pytest.raises(ValueError, match="summary"):
        parse_wrk("Running 2s test @ http://127.0.0.1:8101/\n")


def test_every_other_round_runs_in_reverse_order():
    names = [BARE, "a", "b", "c"]
    assert round_order(names, 0) == [BARE, "a", "b", "c"]
    assert round_order(names, 1) == ["c", "b", "a", BARE]
    assert round_order(names, 2) == names
    assert round_order(names, 5) == list(reversed(names))


def _round(bare_rps: float, page_rps: float, *, bare_p99=10.0, page_p99=40.0, page=None):
    bare = replace(sample("bare"), rps=bare_rps, p99_ms=bare_p99)
    page = page or replace(sample("wishes"), rps=page_rps, p99_ms=page_p99)
    return {BARE: bare, "/wishes/": page}


def test_the_result_is_the_median_of_each_rounds_ratio_not_a_ratio_of_medians():
    # The machine slows down and speeds up between rounds; each round's ratio cancels it.
    rounds = [_round(2000, 200), _round(1000, 100), _round(3000, 300), _round(2000, 100)]

    run = summarise(rounds, {"/wishes/": 0.1})

    (wishes,) = run.targets
    assert wishes.ratios == [0.1, 0.1, 0.1, 0.05]
    assert wishes.ratio == pytest.approx(0.1)
    assert wishes.p99_ratio == pytest.approx(4.0)
    assert wishes.status == "pass"
    assert wishes.rps == pytest.approx(150)  # the median of the page's own figures, for scale


def test_a_page_below_its_ratio_or_above_five_times_the_p99_misses():
    slow = summarise([_round(2000, 100)] * 3, {"/wishes/": 0.1})
    assert slow.targets[0].status == "miss"

    spiky = summarise([_round(2000, 400, bare_p99=10, page_p99=60)] * 3, {"/wishes/": 0.1})
    assert spiky.targets[0].ratio == pytest.approx(0.2)
    assert spiky.targets[0].status == "miss"  # p99 6 x the reference's

    measured_only = summarise([_round(2000, 100)] * 3, {"/wishes/": None})
    assert measured_only.targets[0].status == "-"


def test_a_reference_that_varies_more_than_25_percent_makes_the_run_unstable():
    steady = summarise([_round(2000, 200), _round(2400, 240), _round(2200, 220)], {"/wishes/": 0.1})
    assert steady.spread == pytest.approx(0.2)
    assert not steady.unstable

    noisy = summarise([_round(1700, 200), _round(3000, 240), _round(2200, 220)], {"/wishes/": 0.1})
    assert noisy.unstable
    assert "UNSTABLE" in table(noisy)


def test_any_answer_that_is_not_2xx_fails_the_run():
    redirected = sample("redirect")
    rounds = [_round(2000, 200), _round(2000, 200, page=redirected), _round(2000, 200)]

    run = summarise(rounds, {"/wishes/": 0.1})

    assert run.failed
    assert run.failures == ["/wishes/: 790 answers not 2xx or socket errors (302)"]
    assert run.targets[0].status == "FAIL"
    assert "FAILED" in table(run)


def test_a_target_with_no_answer_in_the_duration_fails_the_run():
    nothing = replace(sample("wishes"), requests=0, rps=0.0, p99_ms=0.0, statuses={})
    rounds = [_round(2000, 200), _round(2000, 200, page=nothing), _round(2000, 200)]

    run = summarise(rounds, {"/wishes/": 0.1})

    assert run.failures == ["/wishes/: no answer within the duration in 1 round(s)"]
    assert run.targets[0].p99_ratios[1] == float("inf")
    assert run.targets[0].status == "FAIL"


def test_the_table_lists_pages_and_jobs():
    run = summarise([_round(2000, 200)] * 5, {"/wishes/": 0.1})
    job = JobSummary(
        name="member import",
        seconds=20.0,
        reference_seconds=4.0,
        reference="bulk_create",
        limit=10.0,
    )

    text = table(run, [job])

    assert "| /wishes/ | 200.0 | 0.100 |" in text
    assert "| member import | 20.00 | bulk_create (4.00) | 5.00 | ≤ 10 | pass |" in text


def test_the_lua_script_rotates_sessions_and_picks_random_pages():
    plain = lua_script(Target("bare", "/_bench/bare/", None), [])
    assert "function request()" not in plain  # a fixed request: wrk builds it once
    assert "local cookies = {}" in plain

    page = lua_script(
        Target("w", "/wishes/", 0.1, random_page=3328), ["sessionid=a", "sessionid=b"]
    )
    assert "local max_page = 3328" in page
    assert 'local cookies = {"sessionid=a", "sessionid=b"}' in page
    assert 'local path = "/wishes/"' in page


def test_the_wall_is_warmed_by_a_deep_page_and_other_targets_by_their_own_path():
    """The wall's warming request must need the anchors its window's deep pages read, so it
    asks for the last page; every other target is warmed by the page it measures."""
    by_path = {t.path: t for t in targets(year=2026, wish_pages=3000)}

    assert warming_path(by_path["/wishes/"]) == "/wishes/?page=3000"
    assert warming_path(by_path["/services/"]) == "/services/"
