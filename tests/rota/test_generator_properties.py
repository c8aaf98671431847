"""Property tests of the planning step (no database): fairness holds for any input."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from rota.generator import Candidate, mondays_between, plan_weeks

START = dt.date(2025, 1, 6)


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    weeks = draw(st.integers(min_value=1, max_value=80))
    candidates = []
    for i in range(n):
        blackouts = []
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            first = START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=7 * weeks)))
            blackouts.append((first, first + dt.timedelta(days=draw(st.integers(0, 30)))))
        candidates.append(Candidate(id=i + 1, label=f"org{i + 1}", blackouts=blackouts))
    return candidates, mondays_between(START, START + dt.timedelta(weeks=weeks, days=-1))


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_counts_differ_by_at_most_one_and_no_repeat_within_a_cycle(scenario):
    candidates, mondays = scenario
    plan = plan_weeks(mondays=mondays, candidates=candidates, kept={}, skip_holiday_weeks=False)
    # every week is either filled or explained
    assert set(plan.assignments) | set(plan.unfilled) == set(mondays)
    assert not set(plan.assignments) & set(plan.unfilled)
    counts = Counter({c.id: 0 for c in candidates})
    counts.update(plan.assignments.values())
    assert max(counts.values()) - min(counts.values()) <= 1
    # nobody is put on a week touching its blackout dates
    by_id = {c.id: c for c in candidates}
    for monday, oid in plan.assignments.items():
        assert by_id[oid].free_during(monday)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=15), st.integers(min_value=1, max_value=120))
def test_without_blackouts_every_window_of_any_length_is_fair(n, weeks):
    candidates = [Candidate(id=i, label=str(i)) for i in range(n)]
    mondays = mondays_between(START, START + dt.timedelta(weeks=weeks, days=-1))
    plan = plan_weeks(mondays=mondays, candidates=candidates, kept={}, skip_holiday_weeks=False)
    sequence = [plan.assignments[m] for m in mondays]
    for length in range(1, len(sequence) + 1):
        for i in range(len(sequence) - length + 1):
            window = Counter({c.id: 0 for c in candidates})
            window.update(sequence[i : i + length])
            assert max(window.values()) - min(window.values()) <= 1
