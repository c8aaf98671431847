"""The stored next due moment (rota.ReminderSchedule): a scan before it is one query, and every
write the reminders' timing depends on - whoever makes it, however - discards it, so a newly
due reminder goes out at the very next scan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from rota import actions
from rota.actions import reminders as reminder_actions
from rota.models import DutyReport, DutyWeek, Organisation, Reminder, ReminderSchedule
from tests.concurrency import run_together
from tests.rota.conftest import make_org, make_week
from tests.rota.test_reminders import MONDAY, at, issued

pytestmark = pytest.mark.usefixtures("postgres")

# The fixture's week starts a week after MONDAY (one duty week per Monday), so MONDAY is free
# for the weeks the tests add: their week-ahead reminder is due from MONDAY - 7 days.
NEXT = MONDAY + dt.timedelta(days=7)
WEEK_AHEAD = at(MONDAY - dt.timedelta(days=7))
# Nothing of the fixture's week falls due before MONDAY, 09:00.
MIDWEEK = at(MONDAY - dt.timedelta(days=5))


@pytest.fixture
def scanned(db, centre):
    """A week starting at NEXT, scanned once at WEEK_AHEAD (nothing due yet, moment stored)."""
    week = make_week(make_org("晨曦社工"), NEXT)
    assert actions.issue_due_reminders(now=WEEK_AHEAD) == 0
    return week


def test_the_scan_stores_the_next_moment_and_is_one_query_until_then(
    scanned, django_assert_num_queries
):
    stored = ReminderSchedule.objects.get()
    assert stored.next_due_at == at(MONDAY)  # the week-ahead reminder of the week at NEXT
    with django_assert_num_queries(1):
        assert actions.issue_due_reminders(now=MIDWEEK) == 0
    with django_assert_num_queries(1):  # idempotent: as often as the beat ticks
        assert actions.issue_due_reminders(now=MIDWEEK + dt.timedelta(minutes=1)) == 0
    assert actions.issue_due_reminders(now=stored.next_due_at) == 1
    assert issued(scanned) == {"week_ahead"}
    assert ReminderSchedule.objects.get().next_due_at == at(NEXT - dt.timedelta(days=2))


def test_a_moment_stored_by_a_later_scan_says_nothing_about_an_earlier_one(scanned):
    assert actions.issue_due_reminders(now=at(MONDAY)) == 1  # stores the escalation's moment
    assert reminder_actions._nothing_due_yet(at(MONDAY, 10))
    assert not reminder_actions._nothing_due_yet(MIDWEEK)


def _new_week(week: DutyWeek) -> DutyWeek:
    return make_week(make_org(), MONDAY)


def _bulk_new_week(week: DutyWeek) -> DutyWeek:
    org = make_org()
    DutyWeek.objects.bulk_create([DutyWeek(organisation=org, week_start=MONDAY)])
    return DutyWeek.objects.get(organisation=org)


def _raw_sql_new_week(week: DutyWeek) -> DutyWeek:
    org = make_org()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DutyWeek._meta.db_table} (organisation_id, week_start, status, "
            "created_at, updated_at) VALUES (%s, %s, 'planned', now(), now())",
            [org.pk, MONDAY],
        )
    return DutyWeek.objects.get(organisation=org)


def _moved_week(week: DutyWeek) -> DutyWeek:
    # A week planned later, moved to MONDAY by a queryset update (no save(), no signal).
    other = make_week(make_org(), MONDAY + dt.timedelta(weeks=5))
    assert actions.issue_due_reminders(now=MIDWEEK) == 0  # a moment stored after the creation
    DutyWeek.objects.filter(pk=other.pk).update(week_start=MONDAY)
    return other


def _reopened_week(week: DutyWeek) -> DutyWeek:
    other = make_week(make_org(), MONDAY, status=DutyWeek.Status.MISSED)
    assert actions.issue_due_reminders(now=MIDWEEK) == 0
    DutyWeek.objects.filter(pk=other.pk).update(status=DutyWeek.Status.PLANNED)
    return other


def _reminder_deleted(week: DutyWeek) -> DutyWeek:
    other = make_week(make_org(), MONDAY)
    assert actions.issue_due_reminders(now=MIDWEEK) == 1
    assert actions.issue_due_reminders(now=MIDWEEK) == 0
    Reminder.objects.filter(duty_week=other).delete()
    return other


@pytest.mark.parametrize(
    "change",
    [_new_week, _bulk_new_week, _raw_sql_new_week, _moved_week, _reopened_week, _reminder_deleted],
)
def test_a_change_to_the_weeks_makes_its_due_reminder_go_at_the_next_scan(scanned, change):
    assert actions.issue_due_reminders(now=MIDWEEK) == 0
    assert reminder_actions._nothing_due_yet(MIDWEEK)  # the stored moment holds
    week = change(scanned)
    assert actions.issue_due_reminders(now=MIDWEEK + dt.timedelta(minutes=1)) == 1
    assert issued(week) == {"week_ahead"}


def test_an_acknowledgement_withdrawn_brings_the_escalation_at_the_next_scan(scanned):
    DutyWeek.objects.filter(pk=scanned.pk).update(acknowledged_at=MIDWEEK)
    saturday = at(NEXT - dt.timedelta(days=2))
    assert actions.issue_due_reminders(now=saturday) == 1  # the week-ahead; no escalation
    assert actions.issue_due_reminders(now=saturday + dt.timedelta(hours=1)) == 0
    DutyWeek.objects.filter(pk=scanned.pk).update(acknowledged_at=None)
    assert actions.issue_due_reminders(now=saturday + dt.timedelta(hours=2)) == 1
    assert "unacknowledged" in issued(scanned)


def test_a_report_deleted_brings_the_report_reminder_at_the_next_scan(scanned):
    DutyReport.objects.create(duty_week=scanned, summary="已提交")
    after = at(NEXT + dt.timedelta(days=8))
    actions.issue_due_reminders(now=after)
    assert actions.issue_due_reminders(now=after + dt.timedelta(hours=1)) == 0
    assert "report_missing" not in issued(scanned)
    DutyReport.objects.filter(duty_week=scanned).delete()
    assert actions.issue_due_reminders(now=after + dt.timedelta(hours=2)) == 1
    assert "report_missing" in issued(scanned)


@pytest.mark.parametrize(
    "write",
    [
        lambda week: Organisation.objects.filter(pk=week.organisation_id).update(
            duty_contact=week.organisation.backup_contact
        ),
        lambda week: DutyReport.objects.create(duty_week=week, summary="提前提交"),
        lambda week: DutyWeek.objects.filter(pk=week.pk).update(updated_at=MIDWEEK),
    ],
    ids=["contacts", "report", "any week field"],
)
def test_any_write_the_timing_may_depend_on_discards_the_stored_moment(scanned, write):
    assert reminder_actions._nothing_due_yet(MIDWEEK)
    write(scanned)
    assert not reminder_actions._nothing_due_yet(MIDWEEK)
    actions.issue_due_reminders(now=MIDWEEK)  # scans, and stores the moment again
    assert reminder_actions._nothing_due_yet(MIDWEEK + dt.timedelta(minutes=1))


def test_with_no_week_ahead_the_moment_is_at_most_a_week_away(db):
    assert actions.issue_due_reminders(now=MIDWEEK) == 0
    assert ReminderSchedule.objects.get().next_due_at == MIDWEEK + reminder_actions.HORIZON


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_issue_each_reminder_once_and_agree_on_the_moment(postgres):
    first = make_week(make_org(), MONDAY)
    make_week(make_org(), NEXT)
    day_before = at(MONDAY - dt.timedelta(days=1))
    race = run_together(*[lambda: actions.issue_due_reminders(now=day_before)] * 3)
    assert race.errors == []
    assert sorted(race.values) == [0, 0, 3]
    assert issued(first) == {"week_ahead", "unacknowledged", "day_before"}
    assert ReminderSchedule.objects.get().next_due_at == at(MONDAY)


@pytest.mark.django_db(transaction=True)
def test_weeks_written_while_scans_run_are_never_left_behind_a_stored_moment(postgres):
    orgs = [make_org() for _ in range(4)]
    mondays = [MONDAY + dt.timedelta(weeks=n) for n in range(1, 5)]
    actions.issue_due_reminders(now=MIDWEEK)  # no weeks: a moment a week ahead is stored

    def writer():
        for org, monday in zip(orgs, mondays, strict=True):
            make_week(org, monday)

    def scanner():
        for minute in range(10):
            actions.issue_due_reminders(now=MIDWEEK + dt.timedelta(minutes=minute))

    assert run_together(writer, scanner, scanner).errors == []
    # Whatever the interleaving, each week's reminder goes at its moment.
    for monday in mondays:
        assert actions.issue_due_reminders(now=at(monday - dt.timedelta(days=7))) >= 1
        ahead = Reminder.objects.filter(duty_week__week_start=monday, kind="week_ahead")
        assert ahead.count() == 1


def test_a_scan_that_issues_is_a_fixed_number_of_statements_and_stores_the_moment(
    scanned, django_assert_num_queries
):
    # The look, the atomic block's savepoint, the weeks, the Reminder rows with the next moment
    # (one statement), the notices with their counts and outbox rows (one), the release.
    with django_assert_num_queries(6):
        assert actions.issue_due_reminders(now=at(MONDAY)) == 1
    assert ReminderSchedule.objects.get().next_due_at == at(NEXT - dt.timedelta(days=2))
    with django_assert_num_queries(1):
        assert actions.issue_due_reminders(now=at(MONDAY, 10)) == 0
