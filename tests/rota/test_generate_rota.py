"""Generating the rota: fairness, cycles, blackouts, holidays, regeneration, bad input."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from rota.actions import accept_swap, approve_swap, generate_rota, request_swap
from rota.models import Blackout, DutyWeek, Organisation
from tests.concurrency import run_together
from tests.rota.conftest import make_org, make_week

TODAY = dt.date(2025, 1, 1)  # generation "today": before every range below


def assigned(start, end) -> list[int]:
    return list(
        DutyWeek.objects.filter(week_start__range=(start, end))
        .order_by("week_start")
        .values_list("organisation_id", flat=True)
    )


@pytest.mark.parametrize(
    ("orgs_count", "start", "end"),
    [
        (5, dt.date(2025, 3, 3), dt.date(2025, 4, 27)),  # 8 weeks, 5 organisations
        (7, dt.date(2025, 3, 1), dt.date(2025, 12, 31)),  # starts on a Saturday
        (49, dt.date(2025, 1, 6), dt.date(2026, 12, 27)),  # two years, the real alliance size
        (3, dt.date(2025, 5, 5), dt.date(2025, 5, 11)),  # a single week
    ],
)
def test_counts_differ_by_at_most_one_and_nobody_serves_twice_in_a_cycle(
    db, orgs_count, start, end
):
    # Given active organisations and one inactive one
    orgs = [make_org(contacts=False) for _ in range(orgs_count)]
    make_org(contacts=False, is_active=False)
    # When the rota is generated without skipping holidays
    result = generate_rota(start=start, end=end, skip_holiday_weeks=False, today=TODAY)
    # Then every week is filled, by active organisations only
    sequence = assigned(start, end)
    assert len(sequence) == len(result.created) > 0
    assert set(sequence) <= {o.pk for o in orgs}
    counts = Counter({o.pk: 0 for o in orgs}) + Counter(sequence)
    counts.update({o.pk: 0 for o in orgs})
    assert max(counts.values()) - min(counts.values()) <= 1
    # and within each cycle of n weeks nobody appears twice, in every window too
    for i in range(len(sequence)):
        window = sequence[i : i + orgs_count]
        assert len(window) == len(set(window))


def test_next_range_continues_the_cycle_where_the_last_one_stopped(db):
    orgs = [make_org(contacts=False) for _ in range(4)]
    generate_rota(
        start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 23), skip_holiday_weeks=False, today=TODAY
    )
    generate_rota(
        start=dt.date(2025, 3, 24), end=dt.date(2025, 4, 27), skip_holiday_weeks=False, today=TODAY
    )
    sequence = assigned(dt.date(2025, 3, 3), dt.date(2025, 4, 27))
    assert len(sequence) == 8
    assert sequence[:4] == sequence[4:]  # the same order, twice
    assert set(sequence) == {o.pk for o in orgs}


def test_blackout_dates_are_respected_and_fairness_holds(db):
    a, _b, _c = (make_org(contacts=False) for _ in range(3))
    # a cannot serve in the first two weeks of March
    Blackout.objects.create(
        organisation=a, starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 12)
    )
    generate_rota(
        start=dt.date(2025, 3, 3), end=dt.date(2025, 4, 20), skip_holiday_weeks=False, today=TODAY
    )
    weeks = {w.week_start: w.organisation_id for w in DutyWeek.objects.all()}
    assert weeks[dt.date(2025, 3, 3)] != a.pk
    assert weeks[dt.date(2025, 3, 10)] != a.pk
    counts = Counter(weeks.values())
    assert max(counts.values()) - min(counts.values()) <= 1


def test_a_week_nobody_may_take_is_left_empty_with_the_reason(db):
    a, b = make_org("甲组织", contacts=False), make_org("乙组织", contacts=False)
    for org in (a, b):
        Blackout.objects.create(
            organisation=org, starts_on=dt.date(2025, 3, 10), ends_on=dt.date(2025, 3, 16)
        )
    result = generate_rota(
        start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 23), skip_holiday_weeks=False, today=TODAY
    )
    assert dt.date(2025, 3, 10) in result.unfilled
    assert "乙组织" in result.unfilled[dt.date(2025, 3, 10)]
    assert not DutyWeek.objects.filter(week_start=dt.date(2025, 3, 10)).exists()


def test_spring_festival_week_is_skipped_and_explained(db):
    [make_org(contacts=False) for _ in range(3)]
    # 2026-02-16..22 is the Spring Festival holiday; 2026-02-09 has a make-up working Saturday
    result = generate_rota(start=dt.date(2026, 2, 9), end=dt.date(2026, 3, 1), today=TODAY)
    assert dt.date(2026, 2, 16) in result.unfilled
    assert "春节" in result.unfilled[dt.date(2026, 2, 16)]
    filled = set(DutyWeek.objects.values_list("week_start", flat=True))
    assert filled == {dt.date(2026, 2, 9), dt.date(2026, 2, 23)}


def test_make_up_working_day_keeps_a_short_holiday_week_on_the_rota(db):
    [make_org(contacts=False) for _ in range(3)]
    # 2026-10-05: Mon-Wed National Day, Thu-Fri work and Saturday 10-10 is a make-up working day:
    # three working days, so the week is filled. 2025-09-29 has only two and is skipped.
    result = generate_rota(start=dt.date(2026, 10, 5), end=dt.date(2026, 10, 11), today=TODAY)
    assert [w.week_start for w in result.created] == [dt.date(2026, 10, 5)]
    result = generate_rota(start=dt.date(2025, 9, 29), end=dt.date(2025, 10, 5), today=TODAY)
    assert result.created == []
    assert "国庆节" in result.unfilled[dt.date(2025, 9, 29)]


def test_holiday_weeks_can_be_filled_when_asked(db):
    make_org(contacts=False)
    result = generate_rota(
        start=dt.date(2026, 2, 16), end=dt.date(2026, 2, 22), skip_holiday_weeks=False, today=TODAY
    )
    assert len(result.created) == 1


def test_a_year_without_published_holidays_is_filled_with_a_warning(db):
    make_org(contacts=False)
    result = generate_rota(start=dt.date(2027, 3, 1), end=dt.date(2027, 3, 14), today=TODAY)
    assert len(result.created) == 2
    assert "2027" in result.warnings[0]


def test_regeneration_keeps_past_confirmed_done_and_swapped_weeks(db, time_machine, staff):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0))
    orgs = [make_org() for _ in range(5)]
    today = dt.date(2025, 3, 12)
    past = make_week(orgs[0], dt.date(2025, 3, 3), status=DutyWeek.Status.DONE)
    current = make_week(orgs[1], dt.date(2025, 3, 10))  # started already
    confirmed = make_week(orgs[2], dt.date(2025, 3, 24), status=DutyWeek.Status.CONFIRMED)
    planned = make_week(orgs[0], dt.date(2025, 3, 17))
    generate_rota(
        start=dt.date(2025, 3, 3), end=dt.date(2025, 5, 4), skip_holiday_weeks=False, today=today
    )
    # a swap between two planned future weeks
    w1 = DutyWeek.objects.get(week_start=dt.date(2025, 4, 7))
    w2 = DutyWeek.objects.get(week_start=dt.date(2025, 4, 14))
    swap = request_swap(from_week=w1, to_week=w2, by=w1.organisation.duty_contact)
    accept_swap(swap=swap, by=w2.organisation.duty_contact)
    approve_swap(swap=swap, by=staff)
    w1.refresh_from_db()
    w2.refresh_from_db()
    before = {w.week_start: w.organisation_id for w in DutyWeek.objects.all()}

    # When staff regenerate after a new organisation joined
    make_org()
    result = generate_rota(
        start=dt.date(2025, 3, 3), end=dt.date(2025, 5, 4), skip_holiday_weeks=False, today=today
    )

    # Then history and promises are unchanged
    for week in (past, current, confirmed, w1, w2):
        week_now = DutyWeek.objects.get(week_start=week.week_start)
        assert week_now.pk == week.pk
        assert week_now.organisation_id == before[week.week_start]
    assert DutyWeek.objects.get(pk=past.pk).status == DutyWeek.Status.DONE
    assert not DutyWeek.objects.filter(pk=planned.pk).exists()  # a planned future week is redrawn
    assert {w.pk for w in result.kept} == {past.pk, current.pk, confirmed.pk, w1.pk, w2.pk}
    assert (
        DutyWeek.objects.filter(
            week_start__range=(dt.date(2025, 3, 3), dt.date(2025, 5, 4))
        ).count()
        == 9
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(2025, 3, 10), dt.date(2025, 3, 1), "结束日期早于开始日期"),
        (dt.date(2025, 3, 4), dt.date(2025, 3, 8), "没有周一"),
    ],
)
def test_bad_ranges_are_refused_with_a_reason(db, start, end, message):
    make_org(contacts=False)
    with pytest.raises(ValidationError) as err:
        generate_rota(start=start, end=end, today=TODAY)
    assert message in " ".join(err.value.messages)
    assert not DutyWeek.objects.exists()


def test_no_active_organisation_is_refused(db):
    make_org(contacts=False, is_active=False)
    with pytest.raises(ValidationError) as err:
        generate_rota(start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 30), today=TODAY)
    assert err.value.code == "none"


def test_command_generates_and_reports(db, capsys, time_machine):
    time_machine.move_to(dt.datetime(2025, 1, 1, 10, 0))
    make_org("团县委", kind=Organisation.Kind.COUNTY_BUREAU, contacts=False)
    call_command("generate_rota", "2025-03-03", "2025-03-16")
    out = capsys.readouterr().out
    assert "2025-03-03  团县委" in out
    assert "created=2" in out
    with pytest.raises(CommandError, match="结束日期早于开始日期"):
        call_command("generate_rota", "2025-03-16", "2025-03-03")


@pytest.mark.django_db(transaction=True)
def test_two_generators_at_once_leave_one_fair_rota(postgres):
    orgs = [make_org(contacts=False) for _ in range(5)]

    def generate():
        start, end = dt.date(2025, 3, 3), dt.date(2025, 6, 29)
        generate_rota(start=start, end=end, skip_holiday_weeks=False, today=TODAY)

    assert run_together(generate, generate).errors == []
    sequence = assigned(dt.date(2025, 3, 3), dt.date(2025, 6, 29))
    assert len(sequence) == 17
    counts = Counter(sequence)
    assert set(counts) == {o.pk for o in orgs}
    assert max(counts.values()) - min(counts.values()) <= 1
