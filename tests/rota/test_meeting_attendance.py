"""Attendance of the exchange meetings: moved from deqing_hub to rota, recorded by an action.

The move is a copy (rota 0006) between two schema migrations; the test runs it on the test
database with Django's MigrationExecutor, inside the test's transaction (PostgreSQL rolls the
DDL back with it).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from rota import actions, demo, queries
from rota.models import DutyReport, DutyWeek, ExchangeMeeting, MeetingAttendance, Organisation
from tests.rota.conftest import make_org

OLD = [("deqing_hub", "0003_meeting_attendance"), ("rota", "0005_meeting_attendance")]
NEW = [
    ("deqing_hub", "0004_move_meeting_attendance_to_rota"),
    ("rota", "0006_copy_meeting_attendance"),
]
RECORDED_AT = dt.datetime(2026, 9, 18, 10, 0, tzinfo=dt.UTC)
# A month of duty weeks: the Mondays from its first day up to the next month's first.
OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # Inserts before DDL on the same table in one transaction: check deferred keys now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return executor


def _meeting(host: Organisation, *, held_on=dt.date(2026, 9, 17), quarter=3) -> ExchangeMeeting:
    return ExchangeMeeting.objects.create(
        year=held_on.year, quarter=quarter, held_on=held_on, venue="红盟书吧", host=host
    )


def test_rows_of_the_old_table_survive_the_move_and_back(postgres, staff):
    host, guest, late = make_org("晨曦社工"), make_org("李家协会"), make_org("张家协会")
    meeting = _meeting(host)

    # Given a database before the move, with a row in deqing_hub's table.
    executor = _migrate(OLD)
    old_model = executor.loader.project_state(OLD).apps.get_model("deqing_hub", "MeetingAttendance")
    row = old_model.objects.create(
        meeting_id=meeting.pk, organisation_id=guest.pk, recorded_by_id=staff.pk
    )
    old_model.objects.filter(pk=row.pk).update(recorded_at=RECORDED_AT)

    # When every migration runs.
    _migrate(NEW)

    # Then the row is rota's, with its id, time and recorder, and the old table is gone.
    moved = MeetingAttendance.objects.get()
    assert (moved.pk, moved.meeting, moved.organisation, moved.recorded_by) == (
        row.pk,
        meeting,
        guest,
        staff,
    )
    assert moved.recorded_at == RECORDED_AT
    assert "deqing_hub_meetingattendance" not in connection.introspection.table_names()
    # The id sequence moved past the copied ids.
    added = actions.record_meeting_attendance(meeting=meeting, organisations=[late], by=None)
    assert added[0].pk > row.pk

    # Reversing moves both rows back; migrating again brings them over once.
    executor = _migrate(OLD)
    old_model = executor.loader.project_state(OLD).apps.get_model("deqing_hub", "MeetingAttendance")
    assert sorted(old_model.objects.values_list("pk", flat=True)) == [row.pk, added[0].pk]
    _migrate(NEW)
    assert MeetingAttendance.objects.count() == 2
    assert MeetingAttendance.objects.get(pk=row.pk).recorded_at == RECORDED_AT


def test_the_database_allows_one_row_per_meeting_and_organisation(db):
    host, guest = make_org(), make_org()
    meeting = _meeting(host)
    MeetingAttendance.objects.create(meeting=meeting, organisation=guest)
    # SQLite names the columns, PostgreSQL the constraint: both come from the one named
    # UniqueConstraint, so the test checks that the model declares it and the database refuses.
    assert "rota_attendance_once_per_meeting" in {
        c.name for c in MeetingAttendance._meta.constraints
    }
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        MeetingAttendance.objects.create(meeting=meeting, organisation=guest)
    if connection.vendor == "postgresql":
        assert "rota_attendance_once_per_meeting" in str(refused.value)
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 1


def test_recording_twice_records_once_and_renews_the_stamp(
    db, staff, django_capture_on_commit_callbacks
):
    host, a, b = make_org(), make_org(), make_org()
    meeting = _meeting(host)
    stamp = queries.attendance_stamp()

    with django_capture_on_commit_callbacks(execute=True):
        first = actions.record_meeting_attendance(meeting=meeting, organisations=[a, b], by=staff)
    assert queries.attendance_stamp() != stamp
    again = actions.record_meeting_attendance(meeting=meeting, organisations=[a], by=None)

    assert {r.organisation for r in first} == {a, b}
    assert again == [r for r in first if r.organisation == a]
    assert again[0].recorded_by == staff  # the first record stands
    assert MeetingAttendance.objects.count() == 2


def test_a_future_meeting_cannot_be_attended_yet(db):
    host, guest = make_org(), make_org()
    # Tomorrow in the portal's time zone (date.today() is the machine's, often UTC).
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    meeting = _meeting(host, held_on=tomorrow, quarter=(tomorrow.month - 1) // 3 + 1)
    with pytest.raises(ValidationError) as error:
        actions.record_meeting_attendance(meeting=meeting, organisations=[guest], by=None)
    assert error.value.error_dict["meeting"][0].code == "future"
    assert not MeetingAttendance.objects.exists()


def test_admin_lists_attendance_with_chinese_labels(client, staff):
    host, guest = make_org("晨曦社工"), make_org("李家协会")
    actions.record_meeting_attendance(meeting=_meeting(host), organisations=[guest], by=staff)
    client.force_login(staff)

    html = client.get(reverse("admin:rota_meetingattendance_changelist")).content.decode()
    for label in ["交流会参会登记", "季度交流会", "交流会日期", "成员单位", "单位类型", "登记人"]:
        assert label in html, label
    assert "李家协会" in html and "2026年9月17日" in html
    add = client.get(reverse("admin:rota_meetingattendance_add")).content.decode()
    assert "增加 交流会参会登记" in add


def test_admin_records_and_deletes_through_the_actions(
    client, staff, django_capture_on_commit_callbacks
):
    host, guest = make_org(), make_org()
    meeting = _meeting(host)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:rota_meetingattendance_add"),
            {"meeting": meeting.pk, "organisation": guest.pk},
        )
    assert response.status_code == 302
    row = MeetingAttendance.objects.get()
    assert row.recorded_by == staff
    stamp = queries.attendance_stamp()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:rota_meetingattendance_changelist"),
            {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not MeetingAttendance.objects.exists()
    assert queries.attendance_stamp() != stamp


def test_meetings_attended_counts_hosts_and_recorded_rows_of_the_year(db):
    host, guest, absent = make_org(), make_org(), make_org()
    q3 = _meeting(host)
    q4 = _meeting(guest, held_on=dt.date(2026, 10, 20), quarter=4)
    last_year = _meeting(host, held_on=dt.date(2025, 12, 18), quarter=4)
    actions.record_meeting_attendance(meeting=q3, organisations=[guest], by=None)
    actions.record_meeting_attendance(meeting=last_year, organisations=[guest], by=None)

    attended, dates = queries.meetings_attended(2026)

    assert attended == {host.pk: [q3.pk], guest.pk: sorted([q3.pk, q4.pk])}
    assert absent.pk not in attended
    assert dates == {q3.pk: q3.held_on, q4.pk: q4.held_on}


def test_held_duty_weeks_of_a_month_per_organisation(db):
    a, b = make_org(), make_org()
    done = DutyWeek.objects.create(week_start=dt.date(2026, 10, 5), organisation=a, status="done")
    DutyReport.objects.create(duty_week=done, summary="开展服务")
    confirmed = DutyWeek.objects.create(
        week_start=dt.date(2026, 10, 26), organisation=b, status="confirmed"
    )
    DutyWeek.objects.create(week_start=dt.date(2026, 10, 12), organisation=b, status="missed")
    DutyWeek.objects.create(week_start=dt.date(2026, 10, 19), organisation=a, status="planned")
    DutyWeek.objects.create(week_start=dt.date(2026, 9, 28), organisation=a, status="done")

    weeks = queries.held_duty_weeks(OCTOBER, NOVEMBER, today=dt.date(2026, 11, 10))
    assert weeks.held == {a.pk: [done.pk], b.pk: [confirmed.pk]}
    assert weeks.reported == {a.pk: [done.pk]}
    # A week that has not begun by `today` is not held yet.
    early = queries.held_duty_weeks(OCTOBER, NOVEMBER, today=dt.date(2026, 10, 20))
    assert early.held == {a.pk: [done.pk]}
    assert queries.duty_weeks_held_count(dt.date(2026, 11, 10)) == 3


def test_active_organisations_by_kind_lists_every_kind(db):
    make_org(), make_org(kind=Organisation.Kind.COUNTY_BUREAU)
    make_org(is_active=False)

    rows = queries.active_organisations_by_kind()

    assert [(r.kind, str(r.label), r.count) for r in rows] == [
        ("bureau", "县级机关部门", 1),
        ("social", "社会组织", 1),
        ("centre", "党群服务中心", 0),
    ]
    assert len(queries.active_organisations()) == 2


def test_demo_records_past_meetings_once(db):
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False):
        demo.seed()
        count = MeetingAttendance.objects.count()
        demo.seed()

    assert MeetingAttendance.objects.count() == count > 7 * 30
    assert not MeetingAttendance.objects.filter(meeting__held_on__gt=demo.ANCHOR).exists()
    assert not MeetingAttendance.objects.filter(meeting__host=F("organisation")).exists()


@pytest.mark.parametrize("door", ["delete_view", "delete_selected"])
def test_deleting_a_meeting_in_the_admin_renews_the_cached_year_ranking(
    door, client, staff, time_machine, django_capture_on_commit_callbacks
):
    from deqing_hub import ranking

    time_machine.move_to(dt.datetime(2026, 11, 10, 10, 0))
    host, guest = make_org("晨曦社工"), make_org("李家协会")
    meeting = _meeting(host, held_on=dt.date(2026, 10, 20), quarter=4)
    actions.record_meeting_attendance(meeting=meeting, organisations=[guest], by=staff)
    ranking.close_month(month=dt.date(2026, 10, 1))

    def meetings_counted() -> dict[str, int]:
        data = client.get("/ranking/2026/?format=json").json()
        return {o["name"]: o["meetings"]["count"] for o in data["organisations"]}

    assert meetings_counted() == {"晨曦社工": 1, "李家协会": 1}  # cached from here on
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        if door == "delete_view":
            url = reverse("admin:rota_exchangemeeting_delete", args=[meeting.pk])
            response = client.post(url, {"post": "yes"})
        else:
            response = client.post(
                reverse("admin:rota_exchangemeeting_changelist"),
                {"action": "delete_selected", "_selected_action": [meeting.pk], "post": "yes"},
            )

    assert response.status_code == 302
    assert not ExchangeMeeting.objects.exists() and not MeetingAttendance.objects.exists()
    assert meetings_counted() == {"晨曦社工": 0, "李家协会": 0}


def test_a_meeting_added_in_the_admin_counts_for_its_host_at_once(
    client, staff, time_machine, django_capture_on_commit_callbacks
):
    from deqing_hub import ranking

    time_machine.move_to(dt.datetime(2026, 11, 10, 10, 0))
    host = make_org("晨曦社工")
    ranking.close_month(month=dt.date(2026, 10, 1))
    url = "/ranking/2026/?format=json"
    assert client.get(url).json()["organisations"][0]["meetings"]["count"] == 0
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:rota_exchangemeeting_add"),
            {
                "year": 2026,
                "quarter": 4,
                "held_on": "2026-10-20",
                "venue": "红盟书吧",
                "host": host.pk,
            },
        )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get(url).json()["organisations"][0]["meetings"]["count"] == 1
