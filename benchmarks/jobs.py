"""The jobs, in this process, each against a database-bound calibration timed beside it.

Every job runs on the loaded county inside a transaction that is rolled back, so the benchmark
database stays as loadscale left it, and reruns measure the same thing. Each reference is
the least work the job cannot avoid, done the plain way, on the same rows:

- member import (preview + confirm of a real 10,000-row xlsx through the import path staff
  use) ÷ bulk_create of the same 10,000 members with the same derived fields (pinyin,
  encrypted ID number);
- a year of duty reminders for the county's 500 organisations (the daily issue of the due
  reminders and every delivery through the notices outbox, its claims included) ÷ composing
  and sending the same messages to the same people through the same channels in a plain loop;
- closing a month (the month's totals refreshed from 1,000,000 entries, the ranking computed
  and frozen) ÷ the one grouped query over that month's ledger any close must run;
- reconciling the ledger (every cached balance and stock against its history) ÷ one plain
  scan that counts and sums every entry and stock movement.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import statistics
import tempfile
import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings

from benchmarks.summary import JobSummary

IMPORT_ROWS = 10_000
# A year before the loaded county's duty weeks (they start a year before the anchor day),
# in a year the statutory-holiday calendar knows.
REMINDER_YEAR_START = dt.date(2024, 1, 1)  # a Monday
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
# gunicorn's default worker timeout (the Procfile does not change it): an import done inside
# a request must finish well within it.
WORKER_TIMEOUT = 30


class _Rollback(Exception):
    pass


def rolled_back(work: Callable[[], object]) -> object:
    """Run `work` in a transaction and undo it; return what it returned."""
    result: object = None
    try:
        with transaction.atomic():
            result = work()
            raise _Rollback
    except _Rollback:
        pass
    return result


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# -- member import -------------------------------------------------------------------------------


def _sheet(branch_name: str) -> tuple[bytes, list[list]]:
    import openpyxl

    from members.validators import id_number_check_character

    headers = [
        "编号",
        "姓名",
        "性别",
        "手机号",
        "身份证号",
        "同意保存身份证号",
        "所在支部",
        "党员身份",
    ]
    rows = []
    for i in range(IMPORT_ROWS):
        id_number = ""
        if i % 4 == 0:  # a quarter of the members consented to keep their ID number
            first17 = f"330521{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
            id_number = first17 + id_number_check_character(first17)
        gender = "男" if i % 2 else "女"
        consent = "是" if id_number else "否"
        rows.append(
            [
                "",
                f"导入党员{i:05d}",
                gender,
                f"139{i:08d}",
                id_number,
                consent,
                branch_name,
                "正式党员",
            ]
        )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def member_import(staff) -> JobSummary:
    from members.actions import sheet_jobs
    from members.models import Branch, Member, pinyin_search_text
    from members.sheets import roll
    from members.sheets.files import SheetProblem, SheetRejected

    branch = Branch.objects.order_by("pk").first()
    assert branch is not None
    content, rows = _sheet(branch.name)

    def import_both() -> tuple[float, float]:
        try:
            return _import_both()
        except SheetRejected as exc:
            first = [str(p) for p in exc.problems[:3]]
            raise RuntimeError(f"the import refused the sheet: {first}") from None

    def _import_both() -> tuple[float, float]:
        # The path staff take for a sheet this size: the admin's import page hands it to a
        # worker (members.sheet_jobs), which checks it, then imports it once confirmed.
        job = sheet_jobs.start_sheet_job(
            resource=roll.MemberResource,
            content=content,
            file_name="bench.xlsx",
            rows=IMPORT_ROWS,
            by=staff,
        )
        preview = timed(lambda: sheet_jobs.run_sheet_job(job_id=job.pk))
        job.refresh_from_db()
        if job.status != "checked":
            raise SheetRejected([SheetProblem(row=None, column="", message=str(job.problems[:3]))])
        sheet_jobs.confirm_sheet_job(job_id=job.pk, by=staff)
        confirm = timed(lambda: sheet_jobs.run_sheet_job(job_id=job.pk))
        assert Member.objects.filter(name__startswith="导入党员").count() == IMPORT_ROWS
        return preview, confirm

    def reference() -> None:
        members = []
        for _number, name, gender, mobile, id_number, consent, _branch, _status in rows:
            member = Member(
                name=name,
                gender="m" if gender == "男" else "f",
                mobile=mobile,
                branch=branch,
                id_number_consent=consent == "是",
            )
            member.id_number = id_number
            member.name_pinyin = pinyin_search_text(name)
            members.append(member)
        Member.objects.bulk_create(members, batch_size=1000)

    preview, confirm = rolled_back(import_both)  # type: ignore[misc]
    plain = statistics.median(timed(lambda: rolled_back(reference)) for _ in range(3))
    slowest = max(preview, confirm)
    return JobSummary(
        name=f"member import, {IMPORT_ROWS:,} rows xlsx (preview + confirm)",
        seconds=preview + confirm,
        reference_seconds=plain,
        reference="bulk_create of the same rows",
        limit=10.0,
        note=(
            f"preview {preview:.1f} s, confirm {confirm:.1f} s, each in a Celery worker "
            f"(sheets over {settings.SHEET_BACKGROUND_ROWS:,} rows), never in a web request; "
            f"as one request each step would be "
            f"{'within' if slowest < WORKER_TIMEOUT else 'OVER'} the {WORKER_TIMEOUT} s timeout"
        ),
    )


# -- a year of reminders -------------------------------------------------------------------------


def _unsigned(text: str) -> str:
    return re.sub(r"/rota/acknowledge/[^/\s]+/", "/rota/acknowledge/-/", text)


def reminders() -> JobSummary:
    from unittest import mock

    from django.test import TestCase
    from django.urls import reverse

    from members.notices import actions as notices
    from members.notices import channels
    from members.notices import tasks as notice_tasks
    from members.notices.models import Delivery
    from rota import actions
    from rota import reminders as rota_reminders
    from rota.actions import reminders as reminder_actions
    from rota.models import DutyWeek, Organisation
    from rota.notices import REMINDER

    organisations = Organisation.objects.active().count()
    start = REMINDER_YEAR_START
    end = start + dt.timedelta(days=364)

    def year() -> tuple[float, int, float]:
        actions.generate_rota(start=start, end=end, today=start - dt.timedelta(days=30))
        started = time.perf_counter()
        for day in range(365 + 21):
            now = dt.datetime.combine(start + dt.timedelta(days=day - 7), dt.time(9, 0), SH)
            # The scan as the beat's task runs it; what it hands to the workers after its
            # commit (the outbox rows' ids, a batch a task) is captured, as the commit never
            # comes here.
            with TestCase.captureOnCommitCallbacks() as after_commit:
                if not actions.issue_due_reminders(now=now):
                    continue  # nothing written, nothing handed to the workers
            batches: list[list[int]] = []
            with mock.patch.object(notice_tasks.send_notices, "delay", batches.append):
                for callback in after_commit:
                    callback()
            # What the workers do with them: each task sends its batch (the rows are due from
            # the real clock's now; the simulated day only decides what falls due).
            for batch in batches:
                notices.deliver_batch(delivery_ids=batch)
        elapsed = time.perf_counter() - started
        sent = list(
            Delivery.objects.filter(
                status=Delivery.Status.SENT, notice__kind=REMINDER, notice__user__isnull=False
            ).values_list(
                "notice__event",
                "channel",
                "notice__user__email",
                "notice__user__phone",
                "subject",
                "body",
            )
        )
        # The plain loop, on the same messages before they are rolled back: read the week,
        # compose the text as the channel carries it (with the same link), send it to the one
        # person.
        composed = []
        started = time.perf_counter()
        for event, channel, email, phone, _subject, _body in sent:
            _, week_id, kind, _row = event.split(":")
            week = DutyWeek.objects.select_related(
                "organisation__duty_contact", "organisation__backup_contact"
            ).get(pk=week_id)
            message = rota_reminders.compose(kind, week)
            ask = kind in reminder_actions.ACKNOWLEDGE_KINDS and week.acknowledged_at is None
            path = (
                reverse("rota:acknowledge", args=[rota_reminders.acknowledge_token(week)])
                if ask
                else reverse("rota:my_rota")
            )
            rendered = notices.Rendered(message.subject, message.body, notices.absolute_link(path))
            subject, text = rendered.for_channel(channel)
            key = f"plain-{event}-{channel}"
            if channel == "email":
                channels.send_email(addresses=[email], subject=subject, body=text, key=key)
            else:
                channels.send_sms(numbers=[phone], text=text, key=key)
            composed.append((subject, text))
        plain = time.perf_counter() - started
        # The same messages (the signed acknowledgement links differ by their time stamp only).
        same = [(_unsigned(s), _unsigned(t)) for s, t in composed] == [
            (_unsigned(row[4]), _unsigned(row[5])) for row in sent
        ]
        assert same, "the plain loop did not send the messages the outbox sent"
        return elapsed, len(sent), plain

    with (
        tempfile.TemporaryDirectory() as sms_dir,
        override_settings(
            SMS_BACKEND="members.sms.FileBackend",
            SMS_FILE_PATH=sms_dir,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            NOTICE_WECOM_WEBHOOK_URL="",
            NOTICE_DINGTALK_WEBHOOK_URL="",
        ),
    ):
        elapsed, sent, plain = rolled_back(year)  # type: ignore[misc]
    return JobSummary(
        name=f"a year of reminders, {organisations} organisations",
        seconds=elapsed,
        reference_seconds=plain,
        reference=f"composing and sending the same {sent} messages in a plain loop",
        limit=0.6,
        note=f"{sent} reminders sent over 386 daily scans",
    )


# -- closing a month -----------------------------------------------------------------------------


def close_month() -> JobSummary:
    from deqing_hub import ranking
    from deqing_hub.models import RankingSnapshot
    from members.periods import month_bounds
    from points import queries as points_queries
    from points.models import Entry

    snapshot = RankingSnapshot.objects.order_by("-month").first()
    assert snapshot is not None, "the loaded county has no closed month"
    month = snapshot.month
    start, end = month_bounds(month.year, month.month)
    entries = Entry.objects.filter(created_at__gte=start, created_at__lt=end).count()

    def close_again() -> float:
        # Unpublish inside the rolled-back transaction, then close the month as the task would.
        RankingSnapshot.objects.filter(month=month).delete()
        return timed(lambda: ranking.close_month(month=month))

    seconds = statistics.median(rolled_back(close_again) for _ in range(3))  # type: ignore[type-var]
    plain = statistics.median(
        timed(lambda: points_queries.earned_between(start, end)) for _ in range(3)
    )
    total = Entry.objects.count()
    return JobSummary(
        name=f"closing {month:%Y-%m} ({entries:,} of {total:,} entries)",
        seconds=seconds,
        reference_seconds=plain,
        reference="the month's one grouped ledger query",
        limit=None,
    )


# -- reconciling ---------------------------------------------------------------------------------


def reconcile() -> JobSummary:
    from points.reconciliation import reconcile as run_reconcile

    def plain_scan() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), sum(amount) FROM points_entry")
            cursor.fetchone()
            cursor.execute("SELECT count(*), sum(quantity) FROM points_stockmovement")
            cursor.fetchone()

    runs = []
    for n in range(3):
        key = f"bench-{time.time_ns()}-{n}"
        runs.append(timed(lambda key=key: rolled_back(lambda: run_reconcile(run_key=key))))
    plain = statistics.median(timed(plain_scan) for _ in range(3))
    return JobSummary(
        name="reconciling the ledger",
        seconds=statistics.median(runs),
        reference_seconds=plain,
        reference="one scan counting and summing every entry and movement",
        limit=None,
    )


def measure(staff, log: Callable[[str], None]) -> list[JobSummary]:
    from django.utils import translation

    # As staff see it: the sheet's headers and choices are the Chinese ones.
    with translation.override("zh-hans"):
        return _measure(staff, log)


def _measure(staff, log: Callable[[str], None]) -> list[JobSummary]:
    results = []
    for name, job in (
        ("member import", lambda: member_import(staff)),
        ("reminders", reminders),
        ("close month", close_month),
        ("reconcile", reconcile),
    ):
        started = time.monotonic()
        summary = job()
        log(
            f"job {name}: {summary.seconds:.2f} s, reference {summary.reference_seconds:.2f} s, "
            f"ratio {summary.ratio:.2f} ({time.monotonic() - started:.0f} s)"
        )
        results.append(summary)
    return results
